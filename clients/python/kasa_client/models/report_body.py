from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.numbering_body import NumberingBody
    from ..models.report_body_summary import ReportBodySummary
    from ..models.report_column_body import ReportColumnBody


T = TypeVar("T", bound="ReportBody")


@_attrs_define
class ReportBody:
    """A report: its window, columns and rows (each row one value per column: a string, a decimal
    string for amounts, an integer for counts, a boolean for flags, or null).

        Attributes:
            columns (list[ReportColumnBody]): The columns.
            from_ (str): The first day (in `time_zone`).
            grouping (str): `day` or `month`.
            report (str): Which report (`revenue`, `invoices`, `tax`, `refunds`, `usage`, `subscriptions`,
                `credit-liability`).
            rows (list[list[Any]]): The rows.
            summary (ReportBodySummary): Figures about the whole report (the subscriptions' counts, the liability's free
                credits), by name.
            time_zone (str): The zone days and months are counted in.
            to (str): The last day, included.
            next_cursor (None | str | Unset): The invoices report only: the register comes in pages (`limit` documents,
                1,000 unless
                asked otherwise); this is the `cursor` that asks for the next page, absent on the last.
                The numbering check always covers every document of the years, whatever the page.
            numbering (list[NumberingBody] | None | Unset): The invoices report only: every series of every year the window
                touches, with any
                missing numbers.
    """

    columns: list[ReportColumnBody]
    from_: str
    grouping: str
    report: str
    rows: list[list[Any]]
    summary: ReportBodySummary
    time_zone: str
    to: str
    next_cursor: None | str | Unset = UNSET
    numbering: list[NumberingBody] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        columns = []
        for columns_item_data in self.columns:
            columns_item = columns_item_data.to_dict()
            columns.append(columns_item)

        from_ = self.from_

        grouping = self.grouping

        report = self.report

        rows = []
        for rows_item_data in self.rows:
            rows_item = rows_item_data

            rows.append(rows_item)

        summary = self.summary.to_dict()

        time_zone = self.time_zone

        to = self.to

        next_cursor: None | str | Unset
        if isinstance(self.next_cursor, Unset):
            next_cursor = UNSET
        else:
            next_cursor = self.next_cursor

        numbering: list[dict[str, Any]] | None | Unset
        if isinstance(self.numbering, Unset):
            numbering = UNSET
        elif isinstance(self.numbering, list):
            numbering = []
            for numbering_type_0_item_data in self.numbering:
                numbering_type_0_item = numbering_type_0_item_data.to_dict()
                numbering.append(numbering_type_0_item)

        else:
            numbering = self.numbering

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "columns": columns,
                "from": from_,
                "grouping": grouping,
                "report": report,
                "rows": rows,
                "summary": summary,
                "time_zone": time_zone,
                "to": to,
            }
        )
        if next_cursor is not UNSET:
            field_dict["next_cursor"] = next_cursor
        if numbering is not UNSET:
            field_dict["numbering"] = numbering

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.numbering_body import NumberingBody  # noqa: PLC0415
        from ..models.report_body_summary import ReportBodySummary  # noqa: PLC0415
        from ..models.report_column_body import ReportColumnBody  # noqa: PLC0415

        d = dict(src_dict)
        columns = []
        _columns = d.pop("columns")
        for columns_item_data in _columns:
            columns_item = ReportColumnBody.from_dict(columns_item_data)

            columns.append(columns_item)

        from_ = d.pop("from")

        grouping = d.pop("grouping")

        report = d.pop("report")

        rows = []
        _rows = d.pop("rows")
        for rows_item_data in _rows:
            rows_item = cast(list[Any], rows_item_data)

            rows.append(rows_item)

        summary = ReportBodySummary.from_dict(d.pop("summary"))

        time_zone = d.pop("time_zone")

        to = d.pop("to")

        def _parse_next_cursor(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        next_cursor = _parse_next_cursor(d.pop("next_cursor", UNSET))

        def _parse_numbering(data: object) -> list[NumberingBody] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                numbering_type_0 = []
                _numbering_type_0 = data
                for numbering_type_0_item_data in _numbering_type_0:
                    numbering_type_0_item = NumberingBody.from_dict(numbering_type_0_item_data)

                    numbering_type_0.append(numbering_type_0_item)

                return numbering_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[NumberingBody] | None | Unset, data)

        numbering = _parse_numbering(d.pop("numbering", UNSET))

        report_body = cls(
            columns=columns,
            from_=from_,
            grouping=grouping,
            report=report,
            rows=rows,
            summary=summary,
            time_zone=time_zone,
            to=to,
            next_cursor=next_cursor,
            numbering=numbering,
        )

        report_body.additional_properties = d
        return report_body

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
