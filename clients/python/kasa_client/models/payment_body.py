from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.money_body import MoneyBody


T = TypeVar("T", bound="PaymentBody")


@_attrs_define
class PaymentBody:
    """A payment.

    Attributes:
        amount (MoneyBody): An amount of money. Example: {'amount': '149.90', 'currency': 'TRY'}.
        gateway (str): Gateway.
        order_id (str): Kasa's order id there.
        status (str): Where it stands.
        failure (None | str | Unset): Why it failed.
        reference (None | str | Unset): The gateway's reference.
    """

    amount: MoneyBody
    gateway: str
    order_id: str
    status: str
    failure: None | str | Unset = UNSET
    reference: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount.to_dict()

        gateway = self.gateway

        order_id = self.order_id

        status = self.status

        failure: None | str | Unset
        if isinstance(self.failure, Unset):
            failure = UNSET
        else:
            failure = self.failure

        reference: None | str | Unset
        if isinstance(self.reference, Unset):
            reference = UNSET
        else:
            reference = self.reference

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "gateway": gateway,
                "order_id": order_id,
                "status": status,
            }
        )
        if failure is not UNSET:
            field_dict["failure"] = failure
        if reference is not UNSET:
            field_dict["reference"] = reference

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.money_body import MoneyBody  # noqa: PLC0415

        d = dict(src_dict)
        amount = MoneyBody.from_dict(d.pop("amount"))

        gateway = d.pop("gateway")

        order_id = d.pop("order_id")

        status = d.pop("status")

        def _parse_failure(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        failure = _parse_failure(d.pop("failure", UNSET))

        def _parse_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reference = _parse_reference(d.pop("reference", UNSET))

        payment_body = cls(
            amount=amount,
            gateway=gateway,
            order_id=order_id,
            status=status,
            failure=failure,
            reference=reference,
        )

        payment_body.additional_properties = d
        return payment_body

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
