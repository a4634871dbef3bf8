from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.billing_settings_body_four_eyes import BillingSettingsBodyFourEyes
    from ..models.billing_settings_body_invoicing import BillingSettingsBodyInvoicing


T = TypeVar("T", bound="BillingSettingsBody")


@_attrs_define
class BillingSettingsBody:
    """The billing settings.

    Attributes:
        billing_enabled (bool): The billing module is on (product rule 11).
        company_name (str): The seller's name in e-mails and invoices.
        four_eyes (BillingSettingsBodyFourEyes | Unset): Four-eyes approval of large give-backs (off when left out).
        invoicing (BillingSettingsBodyInvoicing | Unset): How invoices are issued (defaults when left out).
        notification_address (None | str | Unset): Where purchase notifications go.
        notification_cc (list[str] | Unset): Copies of purchase notifications.
        support_address (None | str | Unset): The help desk's support address (customers' replies go there).
    """

    billing_enabled: bool
    company_name: str
    four_eyes: BillingSettingsBodyFourEyes | Unset = UNSET
    invoicing: BillingSettingsBodyInvoicing | Unset = UNSET
    notification_address: None | str | Unset = UNSET
    notification_cc: list[str] | Unset = UNSET
    support_address: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        billing_enabled = self.billing_enabled

        company_name = self.company_name

        four_eyes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.four_eyes, Unset):
            four_eyes = self.four_eyes.to_dict()

        invoicing: dict[str, Any] | Unset = UNSET
        if not isinstance(self.invoicing, Unset):
            invoicing = self.invoicing.to_dict()

        notification_address: None | str | Unset
        if isinstance(self.notification_address, Unset):
            notification_address = UNSET
        else:
            notification_address = self.notification_address

        notification_cc: list[str] | Unset = UNSET
        if not isinstance(self.notification_cc, Unset):
            notification_cc = self.notification_cc

        support_address: None | str | Unset
        if isinstance(self.support_address, Unset):
            support_address = UNSET
        else:
            support_address = self.support_address

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "billing_enabled": billing_enabled,
                "company_name": company_name,
            }
        )
        if four_eyes is not UNSET:
            field_dict["four_eyes"] = four_eyes
        if invoicing is not UNSET:
            field_dict["invoicing"] = invoicing
        if notification_address is not UNSET:
            field_dict["notification_address"] = notification_address
        if notification_cc is not UNSET:
            field_dict["notification_cc"] = notification_cc
        if support_address is not UNSET:
            field_dict["support_address"] = support_address

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.billing_settings_body_four_eyes import BillingSettingsBodyFourEyes  # noqa: PLC0415
        from ..models.billing_settings_body_invoicing import BillingSettingsBodyInvoicing  # noqa: PLC0415

        d = dict(src_dict)
        billing_enabled = d.pop("billing_enabled")

        company_name = d.pop("company_name")

        _four_eyes = d.pop("four_eyes", UNSET)
        four_eyes: BillingSettingsBodyFourEyes | Unset
        if isinstance(_four_eyes, Unset):
            four_eyes = UNSET
        else:
            four_eyes = BillingSettingsBodyFourEyes.from_dict(_four_eyes)

        _invoicing = d.pop("invoicing", UNSET)
        invoicing: BillingSettingsBodyInvoicing | Unset
        if isinstance(_invoicing, Unset):
            invoicing = UNSET
        else:
            invoicing = BillingSettingsBodyInvoicing.from_dict(_invoicing)

        def _parse_notification_address(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        notification_address = _parse_notification_address(d.pop("notification_address", UNSET))

        notification_cc = cast(list[str], d.pop("notification_cc", UNSET))

        def _parse_support_address(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        support_address = _parse_support_address(d.pop("support_address", UNSET))

        billing_settings_body = cls(
            billing_enabled=billing_enabled,
            company_name=company_name,
            four_eyes=four_eyes,
            invoicing=invoicing,
            notification_address=notification_address,
            notification_cc=notification_cc,
            support_address=support_address,
        )

        billing_settings_body.additional_properties = d
        return billing_settings_body

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
