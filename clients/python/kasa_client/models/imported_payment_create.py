from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.import_method_body import ImportMethodBody
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.money_body import MoneyBody


T = TypeVar("T", bound="ImportedPaymentCreate")


@_attrs_define
class ImportedPaymentCreate:
    """A payment received elsewhere.

    Attributes:
        amount (MoneyBody): An amount of money. Example: {'amount': '149.90', 'currency': 'TRY'}.
        method (ImportMethodBody): How the money was paid.
        reason (str): Why (audit log).
        received_at (datetime.datetime): When the money was received (RFC 3339, not in the future).
        reference (str): The bank's or processor's reference (or the cash receipt's number), 1-100 characters
            after trimming: a reference is imported once. Sending it again for the same purchase
            answers the first import (`created: false`); for another purchase it is refused (409
            `import-reference-used`).
        confirm_forfeit (bool | Unset): For a package of the other kind than what the customer holds: confirms that what
            they
            hold is forfeited (rule 6). A purchase the customer confirmed at checkout keeps that. Default: False.
        note (None | str | Unset): A note kept with it (at most 500 characters).
    """

    amount: MoneyBody
    method: ImportMethodBody
    reason: str
    received_at: datetime.datetime
    reference: str
    confirm_forfeit: bool | Unset = False
    note: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount.to_dict()

        method = self.method.value

        reason = self.reason

        received_at = self.received_at.isoformat()

        reference = self.reference

        confirm_forfeit = self.confirm_forfeit

        note: None | str | Unset
        if isinstance(self.note, Unset):
            note = UNSET
        else:
            note = self.note

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "method": method,
                "reason": reason,
                "received_at": received_at,
                "reference": reference,
            }
        )
        if confirm_forfeit is not UNSET:
            field_dict["confirm_forfeit"] = confirm_forfeit
        if note is not UNSET:
            field_dict["note"] = note

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.money_body import MoneyBody  # noqa: PLC0415

        d = dict(src_dict)
        amount = MoneyBody.from_dict(d.pop("amount"))

        method = ImportMethodBody(d.pop("method"))

        reason = d.pop("reason")

        received_at = datetime.datetime.fromisoformat(d.pop("received_at"))

        reference = d.pop("reference")

        confirm_forfeit = d.pop("confirm_forfeit", UNSET)

        def _parse_note(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        note = _parse_note(d.pop("note", UNSET))

        imported_payment_create = cls(
            amount=amount,
            method=method,
            reason=reason,
            received_at=received_at,
            reference=reference,
            confirm_forfeit=confirm_forfeit,
            note=note,
        )

        imported_payment_create.additional_properties = d
        return imported_payment_create

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
