from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.money_body import MoneyBody
    from ..models.my_document_body import MyDocumentBody
    from ..models.my_movement_body import MyMovementBody
    from ..models.my_payment_body import MyPaymentBody


T = TypeVar("T", bound="MyHistoryEntry")


@_attrs_define
class MyHistoryEntry:
    """One purchase and what happened to its money.

    Attributes:
        created_at (datetime.datetime): When it was started.
        documents (list[MyDocumentBody]): Its documents, oldest first.
        movements (list[MyMovementBody]): Captures, voids and refunds the gateway made, oldest first.
        purchase_id (UUID): The purchase's id.
        state (str): `paid`, `authorised`, `partially_refunded`, `refunded`, `voided`, `granted`,
            `declined`, `pending`, `expired` (a checkout left unpaid for an hour) or `in_review`.
        amount (MoneyBody | None | Unset): What was paid (absent for a package given without payment).
        completed_at (datetime.datetime | None | Unset): When it was applied, if it was.
        description (None | str | Unset): What an amount asked for paid for; absent for a package.
        package_id (None | Unset | UUID): The package's id; absent when it paid an amount asked for.
        package_name (None | str | Unset): The package's name as bought; absent when it paid an amount asked for.
        payment (MyPaymentBody | None | Unset): How it was paid.
    """

    created_at: datetime.datetime
    documents: list[MyDocumentBody]
    movements: list[MyMovementBody]
    purchase_id: UUID
    state: str
    amount: MoneyBody | None | Unset = UNSET
    completed_at: datetime.datetime | None | Unset = UNSET
    description: None | str | Unset = UNSET
    package_id: None | Unset | UUID = UNSET
    package_name: None | str | Unset = UNSET
    payment: MyPaymentBody | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.money_body import MoneyBody  # noqa: PLC0415
        from ..models.my_payment_body import MyPaymentBody  # noqa: PLC0415

        created_at = self.created_at.isoformat()

        documents = []
        for documents_item_data in self.documents:
            documents_item = documents_item_data.to_dict()
            documents.append(documents_item)

        movements = []
        for movements_item_data in self.movements:
            movements_item = movements_item_data.to_dict()
            movements.append(movements_item)

        purchase_id = str(self.purchase_id)

        state = self.state

        amount: dict[str, Any] | None | Unset
        if isinstance(self.amount, Unset):
            amount = UNSET
        elif isinstance(self.amount, MoneyBody):
            amount = self.amount.to_dict()
        else:
            amount = self.amount

        completed_at: None | str | Unset
        if isinstance(self.completed_at, Unset):
            completed_at = UNSET
        elif isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        package_id: None | str | Unset
        if isinstance(self.package_id, Unset):
            package_id = UNSET
        elif isinstance(self.package_id, UUID):
            package_id = str(self.package_id)
        else:
            package_id = self.package_id

        package_name: None | str | Unset
        if isinstance(self.package_name, Unset):
            package_name = UNSET
        else:
            package_name = self.package_name

        payment: dict[str, Any] | None | Unset
        if isinstance(self.payment, Unset):
            payment = UNSET
        elif isinstance(self.payment, MyPaymentBody):
            payment = self.payment.to_dict()
        else:
            payment = self.payment

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "documents": documents,
                "movements": movements,
                "purchase_id": purchase_id,
                "state": state,
            }
        )
        if amount is not UNSET:
            field_dict["amount"] = amount
        if completed_at is not UNSET:
            field_dict["completed_at"] = completed_at
        if description is not UNSET:
            field_dict["description"] = description
        if package_id is not UNSET:
            field_dict["package_id"] = package_id
        if package_name is not UNSET:
            field_dict["package_name"] = package_name
        if payment is not UNSET:
            field_dict["payment"] = payment

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.money_body import MoneyBody  # noqa: PLC0415
        from ..models.my_document_body import MyDocumentBody  # noqa: PLC0415
        from ..models.my_movement_body import MyMovementBody  # noqa: PLC0415
        from ..models.my_payment_body import MyPaymentBody  # noqa: PLC0415

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        documents = []
        _documents = d.pop("documents")
        for documents_item_data in _documents:
            documents_item = MyDocumentBody.from_dict(documents_item_data)

            documents.append(documents_item)

        movements = []
        _movements = d.pop("movements")
        for movements_item_data in _movements:
            movements_item = MyMovementBody.from_dict(movements_item_data)

            movements.append(movements_item)

        purchase_id = UUID(d.pop("purchase_id"))

        state = d.pop("state")

        def _parse_amount(data: object) -> MoneyBody | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                amount_type_0 = MoneyBody.from_dict(data)

                return amount_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MoneyBody | None | Unset, data)

        amount = _parse_amount(d.pop("amount", UNSET))

        def _parse_completed_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                completed_at_type_0 = datetime.datetime.fromisoformat(data)

                return completed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        completed_at = _parse_completed_at(d.pop("completed_at", UNSET))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_package_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                package_id_type_0 = UUID(data)

                return package_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        package_id = _parse_package_id(d.pop("package_id", UNSET))

        def _parse_package_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        package_name = _parse_package_name(d.pop("package_name", UNSET))

        def _parse_payment(data: object) -> MyPaymentBody | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                payment_type_0 = MyPaymentBody.from_dict(data)

                return payment_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MyPaymentBody | None | Unset, data)

        payment = _parse_payment(d.pop("payment", UNSET))

        my_history_entry = cls(
            created_at=created_at,
            documents=documents,
            movements=movements,
            purchase_id=purchase_id,
            state=state,
            amount=amount,
            completed_at=completed_at,
            description=description,
            package_id=package_id,
            package_name=package_name,
            payment=payment,
        )

        my_history_entry.additional_properties = d
        return my_history_entry

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
