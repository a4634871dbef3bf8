from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.imported_payment_body import ImportedPaymentBody
    from ..models.purchase_body import PurchaseBody


T = TypeVar("T", bound="ImportResultBody")


@_attrs_define
class ImportResultBody:
    """What an import did.

    Attributes:
        created (bool): `false` when this reference had been imported for this purchase before: nothing changed
            now, and this is the first import's record.
        imported_payment (ImportedPaymentBody): A payment received elsewhere, as recorded.
        purchase (PurchaseBody): A purchase.
    """

    created: bool
    imported_payment: ImportedPaymentBody
    purchase: PurchaseBody
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created = self.created

        imported_payment = self.imported_payment.to_dict()

        purchase = self.purchase.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created": created,
                "imported_payment": imported_payment,
                "purchase": purchase,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.imported_payment_body import ImportedPaymentBody  # noqa: PLC0415
        from ..models.purchase_body import PurchaseBody  # noqa: PLC0415

        d = dict(src_dict)
        created = d.pop("created")

        imported_payment = ImportedPaymentBody.from_dict(d.pop("imported_payment"))

        purchase = PurchaseBody.from_dict(d.pop("purchase"))

        import_result_body = cls(
            created=created,
            imported_payment=imported_payment,
            purchase=purchase,
        )

        import_result_body.additional_properties = d
        return import_result_body

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
