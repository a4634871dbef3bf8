from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="InvoicingBody")


@_attrs_define
class InvoicingBody:
    """How billing documents are issued.

    Attributes:
        credit_note_series (str): The credit notes' series, e.g. `KSA-CN`.
        kind (str): `invoice` or `receipt`.
        price_basis (str): `tax_inclusive` (prices include the tax) or `tax_exclusive`.
        series (str): The numbering series (1-20 of A-Z, 0-9 and -), e.g. `KSA`.
        tax_rate_percent (str): The VAT (KDV) rate in percent, as a decimal string, e.g. `"20"`.
        seller_address (None | str | Unset): The seller's postal address.
        seller_tax_number (None | str | Unset): The seller's tax number.
        seller_tax_office (None | str | Unset): The seller's tax office (vergi dairesi).
    """

    credit_note_series: str
    kind: str
    price_basis: str
    series: str
    tax_rate_percent: str
    seller_address: None | str | Unset = UNSET
    seller_tax_number: None | str | Unset = UNSET
    seller_tax_office: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        credit_note_series = self.credit_note_series

        kind = self.kind

        price_basis = self.price_basis

        series = self.series

        tax_rate_percent = self.tax_rate_percent

        seller_address: None | str | Unset
        if isinstance(self.seller_address, Unset):
            seller_address = UNSET
        else:
            seller_address = self.seller_address

        seller_tax_number: None | str | Unset
        if isinstance(self.seller_tax_number, Unset):
            seller_tax_number = UNSET
        else:
            seller_tax_number = self.seller_tax_number

        seller_tax_office: None | str | Unset
        if isinstance(self.seller_tax_office, Unset):
            seller_tax_office = UNSET
        else:
            seller_tax_office = self.seller_tax_office

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "credit_note_series": credit_note_series,
                "kind": kind,
                "price_basis": price_basis,
                "series": series,
                "tax_rate_percent": tax_rate_percent,
            }
        )
        if seller_address is not UNSET:
            field_dict["seller_address"] = seller_address
        if seller_tax_number is not UNSET:
            field_dict["seller_tax_number"] = seller_tax_number
        if seller_tax_office is not UNSET:
            field_dict["seller_tax_office"] = seller_tax_office

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        credit_note_series = d.pop("credit_note_series")

        kind = d.pop("kind")

        price_basis = d.pop("price_basis")

        series = d.pop("series")

        tax_rate_percent = d.pop("tax_rate_percent")

        def _parse_seller_address(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        seller_address = _parse_seller_address(d.pop("seller_address", UNSET))

        def _parse_seller_tax_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        seller_tax_number = _parse_seller_tax_number(d.pop("seller_tax_number", UNSET))

        def _parse_seller_tax_office(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        seller_tax_office = _parse_seller_tax_office(d.pop("seller_tax_office", UNSET))

        invoicing_body = cls(
            credit_note_series=credit_note_series,
            kind=kind,
            price_basis=price_basis,
            series=series,
            tax_rate_percent=tax_rate_percent,
            seller_address=seller_address,
            seller_tax_number=seller_tax_number,
            seller_tax_office=seller_tax_office,
        )

        invoicing_body.additional_properties = d
        return invoicing_body

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
