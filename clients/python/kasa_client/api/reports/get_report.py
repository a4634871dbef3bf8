from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.report_body import ReportBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    report: str,
    *,
    from_: str | Unset = UNSET,
    to: str | Unset = UNSET,
    group: str | Unset = UNSET,
    time_zone: str | Unset = UNSET,
    format_: str | Unset = UNSET,
    decimal: str | Unset = UNSET,
    ending_within_days: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["from"] = from_

    params["to"] = to

    params["group"] = group

    params["time_zone"] = time_zone

    params["format"] = format_

    params["decimal"] = decimal

    params["ending_within_days"] = ending_within_days

    params["limit"] = limit

    params["cursor"] = cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/reports/{report}".format(
            report=quote(str(report), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | ReportBody | None:
    if response.status_code == 200:
        response_200 = ReportBody.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 500:
        response_500 = Problem.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if 400 <= response.status_code <= 499:
        response_4xx = Problem.from_dict(response.json())

        return response_4xx

    if 500 <= response.status_code <= 599:
        response_5xx = Problem.from_dict(response.json())

        return response_5xx

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | ReportBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    report: str,
    *,
    client: AuthenticatedClient,
    from_: str | Unset = UNSET,
    to: str | Unset = UNSET,
    group: str | Unset = UNSET,
    time_zone: str | Unset = UNSET,
    format_: str | Unset = UNSET,
    decimal: str | Unset = UNSET,
    ending_within_days: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> Response[Problem | ReportBody]:
    """A finance report over the days `from` to `to` (both included, counted in `time_zone`),
    grouped by day or month: `revenue` (gross, refunds and net per period, currency, gateway
    and package), `invoices` (the register of invoices, receipts and credit notes, with the
    numbering checked for gaps per series and year), `tax` (KDV per period, currency and
    rate: invoices minus credit notes), `refunds`, `usage` (tickets and chats per period and
    department, and how each was covered), `subscriptions` (where they stand at the end of
    the window, or now), `credit-liability` (credits sold but not delivered, valued first
    in, first out, with the movement per period). docs/finance.md explains every figure.

     The register comes in pages as JSON: `limit` documents (1,000 unless asked, at most
    10,000) in the register's order (issue time, series, year, number), and `next_cursor`
    to pass as `cursor` for the next page (absent on the last); the numbering check covers
    every document of the years the window touches on every page. As CSV the register is
    the whole window, streamed page by page.

    Args:
        report (str):
        from_ (str | Unset):
        to (str | Unset):
        group (str | Unset):
        time_zone (str | Unset):
        format_ (str | Unset):
        decimal (str | Unset):
        ending_within_days (int | Unset):
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ReportBody]
    """

    kwargs = _get_kwargs(
        report=report,
        from_=from_,
        to=to,
        group=group,
        time_zone=time_zone,
        format_=format_,
        decimal=decimal,
        ending_within_days=ending_within_days,
        limit=limit,
        cursor=cursor,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    report: str,
    *,
    client: AuthenticatedClient,
    from_: str | Unset = UNSET,
    to: str | Unset = UNSET,
    group: str | Unset = UNSET,
    time_zone: str | Unset = UNSET,
    format_: str | Unset = UNSET,
    decimal: str | Unset = UNSET,
    ending_within_days: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> Problem | ReportBody | None:
    """A finance report over the days `from` to `to` (both included, counted in `time_zone`),
    grouped by day or month: `revenue` (gross, refunds and net per period, currency, gateway
    and package), `invoices` (the register of invoices, receipts and credit notes, with the
    numbering checked for gaps per series and year), `tax` (KDV per period, currency and
    rate: invoices minus credit notes), `refunds`, `usage` (tickets and chats per period and
    department, and how each was covered), `subscriptions` (where they stand at the end of
    the window, or now), `credit-liability` (credits sold but not delivered, valued first
    in, first out, with the movement per period). docs/finance.md explains every figure.

     The register comes in pages as JSON: `limit` documents (1,000 unless asked, at most
    10,000) in the register's order (issue time, series, year, number), and `next_cursor`
    to pass as `cursor` for the next page (absent on the last); the numbering check covers
    every document of the years the window touches on every page. As CSV the register is
    the whole window, streamed page by page.

    Args:
        report (str):
        from_ (str | Unset):
        to (str | Unset):
        group (str | Unset):
        time_zone (str | Unset):
        format_ (str | Unset):
        decimal (str | Unset):
        ending_within_days (int | Unset):
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ReportBody
    """

    return sync_detailed(
        report=report,
        client=client,
        from_=from_,
        to=to,
        group=group,
        time_zone=time_zone,
        format_=format_,
        decimal=decimal,
        ending_within_days=ending_within_days,
        limit=limit,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    report: str,
    *,
    client: AuthenticatedClient,
    from_: str | Unset = UNSET,
    to: str | Unset = UNSET,
    group: str | Unset = UNSET,
    time_zone: str | Unset = UNSET,
    format_: str | Unset = UNSET,
    decimal: str | Unset = UNSET,
    ending_within_days: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> Response[Problem | ReportBody]:
    """A finance report over the days `from` to `to` (both included, counted in `time_zone`),
    grouped by day or month: `revenue` (gross, refunds and net per period, currency, gateway
    and package), `invoices` (the register of invoices, receipts and credit notes, with the
    numbering checked for gaps per series and year), `tax` (KDV per period, currency and
    rate: invoices minus credit notes), `refunds`, `usage` (tickets and chats per period and
    department, and how each was covered), `subscriptions` (where they stand at the end of
    the window, or now), `credit-liability` (credits sold but not delivered, valued first
    in, first out, with the movement per period). docs/finance.md explains every figure.

     The register comes in pages as JSON: `limit` documents (1,000 unless asked, at most
    10,000) in the register's order (issue time, series, year, number), and `next_cursor`
    to pass as `cursor` for the next page (absent on the last); the numbering check covers
    every document of the years the window touches on every page. As CSV the register is
    the whole window, streamed page by page.

    Args:
        report (str):
        from_ (str | Unset):
        to (str | Unset):
        group (str | Unset):
        time_zone (str | Unset):
        format_ (str | Unset):
        decimal (str | Unset):
        ending_within_days (int | Unset):
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ReportBody]
    """

    kwargs = _get_kwargs(
        report=report,
        from_=from_,
        to=to,
        group=group,
        time_zone=time_zone,
        format_=format_,
        decimal=decimal,
        ending_within_days=ending_within_days,
        limit=limit,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    report: str,
    *,
    client: AuthenticatedClient,
    from_: str | Unset = UNSET,
    to: str | Unset = UNSET,
    group: str | Unset = UNSET,
    time_zone: str | Unset = UNSET,
    format_: str | Unset = UNSET,
    decimal: str | Unset = UNSET,
    ending_within_days: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> Problem | ReportBody | None:
    """A finance report over the days `from` to `to` (both included, counted in `time_zone`),
    grouped by day or month: `revenue` (gross, refunds and net per period, currency, gateway
    and package), `invoices` (the register of invoices, receipts and credit notes, with the
    numbering checked for gaps per series and year), `tax` (KDV per period, currency and
    rate: invoices minus credit notes), `refunds`, `usage` (tickets and chats per period and
    department, and how each was covered), `subscriptions` (where they stand at the end of
    the window, or now), `credit-liability` (credits sold but not delivered, valued first
    in, first out, with the movement per period). docs/finance.md explains every figure.

     The register comes in pages as JSON: `limit` documents (1,000 unless asked, at most
    10,000) in the register's order (issue time, series, year, number), and `next_cursor`
    to pass as `cursor` for the next page (absent on the last); the numbering check covers
    every document of the years the window touches on every page. As CSV the register is
    the whole window, streamed page by page.

    Args:
        report (str):
        from_ (str | Unset):
        to (str | Unset):
        group (str | Unset):
        time_zone (str | Unset):
        format_ (str | Unset):
        decimal (str | Unset):
        ending_within_days (int | Unset):
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ReportBody
    """

    return (
        await asyncio_detailed(
            report=report,
            client=client,
            from_=from_,
            to=to,
            group=group,
            time_zone=time_zone,
            format_=format_,
            decimal=decimal,
            ending_within_days=ending_within_days,
            limit=limit,
            cursor=cursor,
        )
    ).parsed
