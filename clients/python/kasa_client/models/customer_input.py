from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.customer_input_language_type_1 import CustomerInputLanguageType1
from ..models.customer_input_language_type_2_type_1 import CustomerInputLanguageType2Type1
from ..models.customer_input_language_type_3_type_1 import CustomerInputLanguageType3Type1
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.external_id_body import ExternalIdBody
    from ..models.tax_details_body import TaxDetailsBody


T = TypeVar("T", bound="CustomerInput")


@_attrs_define
class CustomerInput:
    """A customer to create.

    Attributes:
        email (str): E-mail (unique).
        name (str): Name, 1-200 characters.
        reason (str): Why (audit log).
        external_ids (list[ExternalIdBody] | Unset): Ids in help desks and gateways (each unique).
        language (CustomerInputLanguageType1 | CustomerInputLanguageType2Type1 | CustomerInputLanguageType3Type1 | None
            | Unset): `tr` (default) or `en`.
        tax_details (None | TaxDetailsBody | Unset): What invoices say about the buyer; on an update, left out keeps
            what the customer has.
    """

    email: str
    name: str
    reason: str
    external_ids: list[ExternalIdBody] | Unset = UNSET
    language: (
        CustomerInputLanguageType1 | CustomerInputLanguageType2Type1 | CustomerInputLanguageType3Type1 | None | Unset
    ) = UNSET
    tax_details: None | TaxDetailsBody | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.tax_details_body import TaxDetailsBody  # noqa: PLC0415

        email = self.email

        name = self.name

        reason = self.reason

        external_ids: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.external_ids, Unset):
            external_ids = []
            for external_ids_item_data in self.external_ids:
                external_ids_item = external_ids_item_data.to_dict()
                external_ids.append(external_ids_item)

        language: None | str | Unset
        if isinstance(self.language, Unset):
            language = UNSET
        elif isinstance(self.language, CustomerInputLanguageType1):
            language = self.language.value
        elif isinstance(self.language, CustomerInputLanguageType2Type1):
            language = self.language.value
        elif isinstance(self.language, CustomerInputLanguageType3Type1):
            language = self.language.value
        else:
            language = self.language

        tax_details: dict[str, Any] | None | Unset
        if isinstance(self.tax_details, Unset):
            tax_details = UNSET
        elif isinstance(self.tax_details, TaxDetailsBody):
            tax_details = self.tax_details.to_dict()
        else:
            tax_details = self.tax_details

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "email": email,
                "name": name,
                "reason": reason,
            }
        )
        if external_ids is not UNSET:
            field_dict["external_ids"] = external_ids
        if language is not UNSET:
            field_dict["language"] = language
        if tax_details is not UNSET:
            field_dict["tax_details"] = tax_details

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.external_id_body import ExternalIdBody  # noqa: PLC0415
        from ..models.tax_details_body import TaxDetailsBody  # noqa: PLC0415

        d = dict(src_dict)
        email = d.pop("email")

        name = d.pop("name")

        reason = d.pop("reason")

        _external_ids = d.pop("external_ids", UNSET)
        external_ids: list[ExternalIdBody] | Unset = UNSET
        if _external_ids is not UNSET:
            external_ids = []
            for external_ids_item_data in _external_ids:
                external_ids_item = ExternalIdBody.from_dict(external_ids_item_data)

                external_ids.append(external_ids_item)

        def _parse_language(
            data: object,
        ) -> (
            CustomerInputLanguageType1
            | CustomerInputLanguageType2Type1
            | CustomerInputLanguageType3Type1
            | None
            | Unset
        ):
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                language_type_1 = CustomerInputLanguageType1(data)

                return language_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                language_type_2_type_1 = CustomerInputLanguageType2Type1(data)

                return language_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                language_type_3_type_1 = CustomerInputLanguageType3Type1(data)

                return language_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                CustomerInputLanguageType1
                | CustomerInputLanguageType2Type1
                | CustomerInputLanguageType3Type1
                | None
                | Unset,
                data,
            )

        language = _parse_language(d.pop("language", UNSET))

        def _parse_tax_details(data: object) -> None | TaxDetailsBody | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                tax_details_type_0 = TaxDetailsBody.from_dict(data)

                return tax_details_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TaxDetailsBody | Unset, data)

        tax_details = _parse_tax_details(d.pop("tax_details", UNSET))

        customer_input = cls(
            email=email,
            name=name,
            reason=reason,
            external_ids=external_ids,
            language=language,
            tax_details=tax_details,
        )

        customer_input.additional_properties = d
        return customer_input

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
