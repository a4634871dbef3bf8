from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.customer_body_language import CustomerBodyLanguage

if TYPE_CHECKING:
    from ..models.external_id_body import ExternalIdBody
    from ..models.tax_details_body import TaxDetailsBody


T = TypeVar("T", bound="CustomerBody")


@_attrs_define
class CustomerBody:
    """A customer.

    Attributes:
        email (str): E-mail (unique).
        external_ids (list[ExternalIdBody]): Ids in help desks and gateways.
        id (str): Its id.
        language (CustomerBodyLanguage): `tr` or `en`: the language of pages and e-mails.
        name (str): Name.
        revision (str): The customer's revision: changes whenever anything above does. Send it as `If-Match`
            with `PUT /v1/customers/{id}` so a change made on a stale read is refused (412).
        tax_details (TaxDetailsBody): What invoices say about the buyer beyond the name; every field optional.
    """

    email: str
    external_ids: list[ExternalIdBody]
    id: str
    language: CustomerBodyLanguage
    name: str
    revision: str
    tax_details: TaxDetailsBody
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        external_ids = []
        for external_ids_item_data in self.external_ids:
            external_ids_item = external_ids_item_data.to_dict()
            external_ids.append(external_ids_item)

        id = self.id

        language = self.language.value

        name = self.name

        revision = self.revision

        tax_details = self.tax_details.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "email": email,
                "external_ids": external_ids,
                "id": id,
                "language": language,
                "name": name,
                "revision": revision,
                "tax_details": tax_details,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.external_id_body import ExternalIdBody  # noqa: PLC0415
        from ..models.tax_details_body import TaxDetailsBody  # noqa: PLC0415

        d = dict(src_dict)
        email = d.pop("email")

        external_ids = []
        _external_ids = d.pop("external_ids")
        for external_ids_item_data in _external_ids:
            external_ids_item = ExternalIdBody.from_dict(external_ids_item_data)

            external_ids.append(external_ids_item)

        id = d.pop("id")

        language = CustomerBodyLanguage(d.pop("language"))

        name = d.pop("name")

        revision = d.pop("revision")

        tax_details = TaxDetailsBody.from_dict(d.pop("tax_details"))

        customer_body = cls(
            email=email,
            external_ids=external_ids,
            id=id,
            language=language,
            name=name,
            revision=revision,
            tax_details=tax_details,
        )

        customer_body.additional_properties = d
        return customer_body

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
