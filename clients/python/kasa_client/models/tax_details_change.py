from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TaxDetailsChange")


@_attrs_define
class TaxDetailsChange:
    """New tax details of a customer, and why.

    Attributes:
        reason (str): Why (audit log).
        billing_address (None | str | Unset): Billing address, lines separated by `\\n`, up to 500 characters.
        tax_id (None | str | Unset): Tax id: a Turkish VKN (10 digits) or TCKN (11 digits, check digits verified), or
            another country's number (2-32 letters and digits, e.g. `DE123456789`); spaces, dots and
            dashes are dropped.
        tax_office (None | str | Unset): Tax office (vergi dairesi), up to 100 characters.
    """

    reason: str
    billing_address: None | str | Unset = UNSET
    tax_id: None | str | Unset = UNSET
    tax_office: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        reason = self.reason

        billing_address: None | str | Unset
        if isinstance(self.billing_address, Unset):
            billing_address = UNSET
        else:
            billing_address = self.billing_address

        tax_id: None | str | Unset
        if isinstance(self.tax_id, Unset):
            tax_id = UNSET
        else:
            tax_id = self.tax_id

        tax_office: None | str | Unset
        if isinstance(self.tax_office, Unset):
            tax_office = UNSET
        else:
            tax_office = self.tax_office

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "reason": reason,
            }
        )
        if billing_address is not UNSET:
            field_dict["billing_address"] = billing_address
        if tax_id is not UNSET:
            field_dict["tax_id"] = tax_id
        if tax_office is not UNSET:
            field_dict["tax_office"] = tax_office

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        reason = d.pop("reason")

        def _parse_billing_address(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        billing_address = _parse_billing_address(d.pop("billing_address", UNSET))

        def _parse_tax_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tax_id = _parse_tax_id(d.pop("tax_id", UNSET))

        def _parse_tax_office(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tax_office = _parse_tax_office(d.pop("tax_office", UNSET))

        tax_details_change = cls(
            reason=reason,
            billing_address=billing_address,
            tax_id=tax_id,
            tax_office=tax_office,
        )

        tax_details_change.additional_properties = d
        return tax_details_change

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
