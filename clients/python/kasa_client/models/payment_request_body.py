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
    from ..models.payment_request_coupon_body import PaymentRequestCouponBody


T = TypeVar("T", bound="PaymentRequestBody")


@_attrs_define
class PaymentRequestBody:
    """A payment request and where it stands.

    Attributes:
        amount (MoneyBody): An amount of money. Example: {'amount': '149.90', 'currency': 'TRY'}.
        created_at (datetime.datetime): When it was made (RFC 3339).
        customer_id (UUID): Who is asked to pay.
        description (str): What is asked.
        expires_at (datetime.datetime): When it stops being payable (RFC 3339).
        id (str): Its id.
        page_url (str): The page where the customer pays it (the customer's billing link opens it).
        payment_under_way (bool): Whether a payment of it is being processed (it cannot be paid again or cancelled
            meanwhile).
        state (str): `open`, `paid`, `expired` or `cancelled`.
        cancel_reason (None | str | Unset): Why it was cancelled, if it was.
        cancelled_at (datetime.datetime | None | Unset): When it was cancelled, if it was.
        coupon (None | PaymentRequestCouponBody | Unset): The coupon the agent put on it, if any.
        package_id (None | Unset | UUID): The package paid for; absent when an amount is asked for.
        package_name (None | str | Unset): The package's name; absent when an amount is asked for.
        purchase_id (None | Unset | UUID): The purchase paying it (the latest attempt), if any.
    """

    amount: MoneyBody
    created_at: datetime.datetime
    customer_id: UUID
    description: str
    expires_at: datetime.datetime
    id: str
    page_url: str
    payment_under_way: bool
    state: str
    cancel_reason: None | str | Unset = UNSET
    cancelled_at: datetime.datetime | None | Unset = UNSET
    coupon: None | PaymentRequestCouponBody | Unset = UNSET
    package_id: None | Unset | UUID = UNSET
    package_name: None | str | Unset = UNSET
    purchase_id: None | Unset | UUID = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.payment_request_coupon_body import PaymentRequestCouponBody  # noqa: PLC0415

        amount = self.amount.to_dict()

        created_at = self.created_at.isoformat()

        customer_id = str(self.customer_id)

        description = self.description

        expires_at = self.expires_at.isoformat()

        id = self.id

        page_url = self.page_url

        payment_under_way = self.payment_under_way

        state = self.state

        cancel_reason: None | str | Unset
        if isinstance(self.cancel_reason, Unset):
            cancel_reason = UNSET
        else:
            cancel_reason = self.cancel_reason

        cancelled_at: None | str | Unset
        if isinstance(self.cancelled_at, Unset):
            cancelled_at = UNSET
        elif isinstance(self.cancelled_at, datetime.datetime):
            cancelled_at = self.cancelled_at.isoformat()
        else:
            cancelled_at = self.cancelled_at

        coupon: dict[str, Any] | None | Unset
        if isinstance(self.coupon, Unset):
            coupon = UNSET
        elif isinstance(self.coupon, PaymentRequestCouponBody):
            coupon = self.coupon.to_dict()
        else:
            coupon = self.coupon

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

        purchase_id: None | str | Unset
        if isinstance(self.purchase_id, Unset):
            purchase_id = UNSET
        elif isinstance(self.purchase_id, UUID):
            purchase_id = str(self.purchase_id)
        else:
            purchase_id = self.purchase_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "created_at": created_at,
                "customer_id": customer_id,
                "description": description,
                "expires_at": expires_at,
                "id": id,
                "page_url": page_url,
                "payment_under_way": payment_under_way,
                "state": state,
            }
        )
        if cancel_reason is not UNSET:
            field_dict["cancel_reason"] = cancel_reason
        if cancelled_at is not UNSET:
            field_dict["cancelled_at"] = cancelled_at
        if coupon is not UNSET:
            field_dict["coupon"] = coupon
        if package_id is not UNSET:
            field_dict["package_id"] = package_id
        if package_name is not UNSET:
            field_dict["package_name"] = package_name
        if purchase_id is not UNSET:
            field_dict["purchase_id"] = purchase_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.money_body import MoneyBody  # noqa: PLC0415
        from ..models.payment_request_coupon_body import PaymentRequestCouponBody  # noqa: PLC0415

        d = dict(src_dict)
        amount = MoneyBody.from_dict(d.pop("amount"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        customer_id = UUID(d.pop("customer_id"))

        description = d.pop("description")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        id = d.pop("id")

        page_url = d.pop("page_url")

        payment_under_way = d.pop("payment_under_way")

        state = d.pop("state")

        def _parse_cancel_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        cancel_reason = _parse_cancel_reason(d.pop("cancel_reason", UNSET))

        def _parse_cancelled_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                cancelled_at_type_0 = datetime.datetime.fromisoformat(data)

                return cancelled_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        cancelled_at = _parse_cancelled_at(d.pop("cancelled_at", UNSET))

        def _parse_coupon(data: object) -> None | PaymentRequestCouponBody | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                coupon_type_0 = PaymentRequestCouponBody.from_dict(data)

                return coupon_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PaymentRequestCouponBody | Unset, data)

        coupon = _parse_coupon(d.pop("coupon", UNSET))

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

        def _parse_purchase_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                purchase_id_type_0 = UUID(data)

                return purchase_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        purchase_id = _parse_purchase_id(d.pop("purchase_id", UNSET))

        payment_request_body = cls(
            amount=amount,
            created_at=created_at,
            customer_id=customer_id,
            description=description,
            expires_at=expires_at,
            id=id,
            page_url=page_url,
            payment_under_way=payment_under_way,
            state=state,
            cancel_reason=cancel_reason,
            cancelled_at=cancelled_at,
            coupon=coupon,
            package_id=package_id,
            package_name=package_name,
            purchase_id=purchase_id,
        )

        payment_request_body.additional_properties = d
        return payment_request_body

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
