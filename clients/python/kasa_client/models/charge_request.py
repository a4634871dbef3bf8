from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.usage_kind_body import UsageKindBody

if TYPE_CHECKING:
    from ..models.customer_ref import CustomerRef


T = TypeVar("T", bound="ChargeRequest")


@_attrs_define
class ChargeRequest:
    """A help desk asks to open a ticket or chat.

    Example:
        {'customer': {'customer_id': None, 'email': 'ayse@example.com', 'external_id': None, 'external_system': None},
            'department_id': '0193a5c2-7d4e-7000-8000-000000000001', 'kind': 'ticket', 'reference': '12345'}

    Attributes:
        customer (CustomerRef): Names a customer: exactly one of `customer_id`, `email`, or `external_system` with
            `external_id`.
        department_id (UUID): The department.
        kind (UsageKindBody): Ticket or chat.
        reference (str): The help desk's ticket or chat id: the same id is never charged twice.
    """

    customer: CustomerRef
    department_id: UUID
    kind: UsageKindBody
    reference: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer.to_dict()

        department_id = str(self.department_id)

        kind = self.kind.value

        reference = self.reference

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "department_id": department_id,
                "kind": kind,
                "reference": reference,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.customer_ref import CustomerRef  # noqa: PLC0415

        d = dict(src_dict)
        customer = CustomerRef.from_dict(d.pop("customer"))

        department_id = UUID(d.pop("department_id"))

        kind = UsageKindBody(d.pop("kind"))

        reference = d.pop("reference")

        charge_request = cls(
            customer=customer,
            department_id=department_id,
            kind=kind,
            reference=reference,
        )

        charge_request.additional_properties = d
        return charge_request

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
