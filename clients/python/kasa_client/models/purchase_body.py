from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.amount_item_body import AmountItemBody
    from ..models.package_body import PackageBody
    from ..models.payment_body import PaymentBody
    from ..models.purchase_coupon_body import PurchaseCouponBody


T = TypeVar("T", bound="PurchaseBody")


@_attrs_define
class PurchaseBody:
    """A purchase.

    Attributes:
        channel (str): How it was bought.
        created_at (datetime.datetime): When it started.
        customer_id (UUID): The customer.
        id (str): Its id.
        status (str): `pending`, `completed`, `failed` or `needs_attention`.
        amount_item (AmountItemBody | None | Unset): The amount asked for and what for, when the purchase pays a payment
            request for an
            amount (no package: it changed no credits, subscription or department).
        completed_at (datetime.datetime | None | Unset): When it was applied.
        coupon (None | PurchaseCouponBody | Unset): The coupon it used; its payment is the list price less the discount.
        outcome (Any | Unset): What applying it did (balance after, term, forfeiture).
        package (None | PackageBody | Unset): The package as bought; absent when the purchase pays an amount asked for.
        payment (None | PaymentBody | Unset): Its payment (none for a free grant).
    """

    channel: str
    created_at: datetime.datetime
    customer_id: UUID
    id: str
    status: str
    amount_item: AmountItemBody | None | Unset = UNSET
    completed_at: datetime.datetime | None | Unset = UNSET
    coupon: None | PurchaseCouponBody | Unset = UNSET
    outcome: Any | Unset = UNSET
    package: None | PackageBody | Unset = UNSET
    payment: None | PaymentBody | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.amount_item_body import AmountItemBody  # noqa: PLC0415
        from ..models.package_body import PackageBody  # noqa: PLC0415
        from ..models.payment_body import PaymentBody  # noqa: PLC0415
        from ..models.purchase_coupon_body import PurchaseCouponBody  # noqa: PLC0415

        channel = self.channel

        created_at = self.created_at.isoformat()

        customer_id = str(self.customer_id)

        id = self.id

        status = self.status

        amount_item: dict[str, Any] | None | Unset
        if isinstance(self.amount_item, Unset):
            amount_item = UNSET
        elif isinstance(self.amount_item, AmountItemBody):
            amount_item = self.amount_item.to_dict()
        else:
            amount_item = self.amount_item

        completed_at: None | str | Unset
        if isinstance(self.completed_at, Unset):
            completed_at = UNSET
        elif isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

        coupon: dict[str, Any] | None | Unset
        if isinstance(self.coupon, Unset):
            coupon = UNSET
        elif isinstance(self.coupon, PurchaseCouponBody):
            coupon = self.coupon.to_dict()
        else:
            coupon = self.coupon

        outcome = self.outcome

        package: dict[str, Any] | None | Unset
        if isinstance(self.package, Unset):
            package = UNSET
        elif isinstance(self.package, PackageBody):
            package = self.package.to_dict()
        else:
            package = self.package

        payment: dict[str, Any] | None | Unset
        if isinstance(self.payment, Unset):
            payment = UNSET
        elif isinstance(self.payment, PaymentBody):
            payment = self.payment.to_dict()
        else:
            payment = self.payment

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "channel": channel,
                "created_at": created_at,
                "customer_id": customer_id,
                "id": id,
                "status": status,
            }
        )
        if amount_item is not UNSET:
            field_dict["amount_item"] = amount_item
        if completed_at is not UNSET:
            field_dict["completed_at"] = completed_at
        if coupon is not UNSET:
            field_dict["coupon"] = coupon
        if outcome is not UNSET:
            field_dict["outcome"] = outcome
        if package is not UNSET:
            field_dict["package"] = package
        if payment is not UNSET:
            field_dict["payment"] = payment

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.amount_item_body import AmountItemBody  # noqa: PLC0415
        from ..models.package_body import PackageBody  # noqa: PLC0415
        from ..models.payment_body import PaymentBody  # noqa: PLC0415
        from ..models.purchase_coupon_body import PurchaseCouponBody  # noqa: PLC0415

        d = dict(src_dict)
        channel = d.pop("channel")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        customer_id = UUID(d.pop("customer_id"))

        id = d.pop("id")

        status = d.pop("status")

        def _parse_amount_item(data: object) -> AmountItemBody | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                amount_item_type_0 = AmountItemBody.from_dict(data)

                return amount_item_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AmountItemBody | None | Unset, data)

        amount_item = _parse_amount_item(d.pop("amount_item", UNSET))

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

        def _parse_coupon(data: object) -> None | PurchaseCouponBody | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                coupon_type_0 = PurchaseCouponBody.from_dict(data)

                return coupon_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PurchaseCouponBody | Unset, data)

        coupon = _parse_coupon(d.pop("coupon", UNSET))

        outcome = d.pop("outcome", UNSET)

        def _parse_package(data: object) -> None | PackageBody | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                package_type_0 = PackageBody.from_dict(data)

                return package_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PackageBody | Unset, data)

        package = _parse_package(d.pop("package", UNSET))

        def _parse_payment(data: object) -> None | PaymentBody | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                payment_type_0 = PaymentBody.from_dict(data)

                return payment_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PaymentBody | Unset, data)

        payment = _parse_payment(d.pop("payment", UNSET))

        purchase_body = cls(
            channel=channel,
            created_at=created_at,
            customer_id=customer_id,
            id=id,
            status=status,
            amount_item=amount_item,
            completed_at=completed_at,
            coupon=coupon,
            outcome=outcome,
            package=package,
            payment=payment,
        )

        purchase_body.additional_properties = d
        return purchase_body

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
