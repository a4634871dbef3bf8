from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.approval_request_body import ApprovalRequestBody
    from ..models.payment_action_result_body import PaymentActionResultBody


T = TypeVar("T", bound="ApprovalResultBody")


@_attrs_define
class ApprovalResultBody:
    """An approved request and the action it ran.

    Attributes:
        approval_request (ApprovalRequestBody): A give-back waiting for (or decided by) a second person.
        result (PaymentActionResultBody): What an action did.
    """

    approval_request: ApprovalRequestBody
    result: PaymentActionResultBody
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        approval_request = self.approval_request.to_dict()

        result = self.result.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "approval_request": approval_request,
                "result": result,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.approval_request_body import ApprovalRequestBody  # noqa: PLC0415
        from ..models.payment_action_result_body import PaymentActionResultBody  # noqa: PLC0415

        d = dict(src_dict)
        approval_request = ApprovalRequestBody.from_dict(d.pop("approval_request"))

        result = PaymentActionResultBody.from_dict(d.pop("result"))

        approval_result_body = cls(
            approval_request=approval_request,
            result=result,
        )

        approval_result_body.additional_properties = d
        return approval_result_body

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
