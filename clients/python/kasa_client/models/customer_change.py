from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.customer_change_language_type_1 import CustomerChangeLanguageType1
from ..models.customer_change_language_type_2_type_1 import CustomerChangeLanguageType2Type1
from ..models.customer_change_language_type_3_type_1 import CustomerChangeLanguageType3Type1
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.external_id_body import ExternalIdBody
    from ..models.tax_details_body import TaxDetailsBody


T = TypeVar("T", bound="CustomerChange")


@_attrs_define
class CustomerChange:
    """A change to a customer: every field left out keeps what the customer has.

    Attributes:
        reason (str): Why (audit log).
        email (None | str | Unset): E-mail (unique).
        external_ids (list[ExternalIdBody] | None | Unset): Ids in help desks and gateways (each unique); when given,
            they replace the old ones (send
            `[]` to remove them all).
        language (CustomerChangeLanguageType1 | CustomerChangeLanguageType2Type1 | CustomerChangeLanguageType3Type1 |
            None | Unset): `tr` or `en`.
        name (None | str | Unset): Name, 1-200 characters.
        tax_details (None | TaxDetailsBody | Unset): What invoices say about the buyer; when given, it replaces the old
            details.
    """

    reason: str
    email: None | str | Unset = UNSET
    external_ids: list[ExternalIdBody] | None | Unset = UNSET
    language: (
        CustomerChangeLanguageType1 | CustomerChangeLanguageType2Type1 | CustomerChangeLanguageType3Type1 | None | Unset
    ) = UNSET
    name: None | str | Unset = UNSET
    tax_details: None | TaxDetailsBody | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.tax_details_body import TaxDetailsBody  # noqa: PLC0415

        reason = self.reason

        email: None | str | Unset
        if isinstance(self.email, Unset):
            email = UNSET
        else:
            email = self.email

        external_ids: list[dict[str, Any]] | None | Unset
        if isinstance(self.external_ids, Unset):
            external_ids = UNSET
        elif isinstance(self.external_ids, list):
            external_ids = []
            for external_ids_type_0_item_data in self.external_ids:
                external_ids_type_0_item = external_ids_type_0_item_data.to_dict()
                external_ids.append(external_ids_type_0_item)

        else:
            external_ids = self.external_ids

        language: None | str | Unset
        if isinstance(self.language, Unset):
            language = UNSET
        elif isinstance(self.language, CustomerChangeLanguageType1):
            language = self.language.value
        elif isinstance(self.language, CustomerChangeLanguageType2Type1):
            language = self.language.value
        elif isinstance(self.language, CustomerChangeLanguageType3Type1):
            language = self.language.value
        else:
            language = self.language

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

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
                "reason": reason,
            }
        )
        if email is not UNSET:
            field_dict["email"] = email
        if external_ids is not UNSET:
            field_dict["external_ids"] = external_ids
        if language is not UNSET:
            field_dict["language"] = language
        if name is not UNSET:
            field_dict["name"] = name
        if tax_details is not UNSET:
            field_dict["tax_details"] = tax_details

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.external_id_body import ExternalIdBody  # noqa: PLC0415
        from ..models.tax_details_body import TaxDetailsBody  # noqa: PLC0415

        d = dict(src_dict)
        reason = d.pop("reason")

        def _parse_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        email = _parse_email(d.pop("email", UNSET))

        def _parse_external_ids(data: object) -> list[ExternalIdBody] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                external_ids_type_0 = []
                _external_ids_type_0 = data
                for external_ids_type_0_item_data in _external_ids_type_0:
                    external_ids_type_0_item = ExternalIdBody.from_dict(external_ids_type_0_item_data)

                    external_ids_type_0.append(external_ids_type_0_item)

                return external_ids_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ExternalIdBody] | None | Unset, data)

        external_ids = _parse_external_ids(d.pop("external_ids", UNSET))

        def _parse_language(
            data: object,
        ) -> (
            CustomerChangeLanguageType1
            | CustomerChangeLanguageType2Type1
            | CustomerChangeLanguageType3Type1
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
                language_type_1 = CustomerChangeLanguageType1(data)

                return language_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                language_type_2_type_1 = CustomerChangeLanguageType2Type1(data)

                return language_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                language_type_3_type_1 = CustomerChangeLanguageType3Type1(data)

                return language_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                CustomerChangeLanguageType1
                | CustomerChangeLanguageType2Type1
                | CustomerChangeLanguageType3Type1
                | None
                | Unset,
                data,
            )

        language = _parse_language(d.pop("language", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

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

        customer_change = cls(
            reason=reason,
            email=email,
            external_ids=external_ids,
            language=language,
            name=name,
            tax_details=tax_details,
        )

        customer_change.additional_properties = d
        return customer_change

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
