from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.refund_limit_body import RefundLimitBody
from ...models.role_body import RoleBody
from ...models.set_refund_limit_role import SetRefundLimitRole
from ...types import Response


def _get_kwargs(
    role: SetRefundLimitRole,
    *,
    body: RefundLimitBody,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/roles/{role}/refund-limit".format(
            role=quote(str(role), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json; charset=utf-8"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | RoleBody | None:
    if response.status_code == 200:
        response_200 = RoleBody.from_dict(response.json())

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

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | RoleBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    role: SetRefundLimitRole,
    *,
    client: AuthenticatedClient,
    body: RefundLimitBody,
) -> Response[Problem | RoleBody]:
    """Sets a role's refund limit in one currency, or removes it (or all of the role's).

    Args:
        role (SetRefundLimitRole):
        body (RefundLimitBody): A change to a role's refund limits (one per currency).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | RoleBody]
    """

    kwargs = _get_kwargs(
        role=role,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    role: SetRefundLimitRole,
    *,
    client: AuthenticatedClient,
    body: RefundLimitBody,
) -> Problem | RoleBody | None:
    """Sets a role's refund limit in one currency, or removes it (or all of the role's).

    Args:
        role (SetRefundLimitRole):
        body (RefundLimitBody): A change to a role's refund limits (one per currency).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | RoleBody
    """

    return sync_detailed(
        role=role,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    role: SetRefundLimitRole,
    *,
    client: AuthenticatedClient,
    body: RefundLimitBody,
) -> Response[Problem | RoleBody]:
    """Sets a role's refund limit in one currency, or removes it (or all of the role's).

    Args:
        role (SetRefundLimitRole):
        body (RefundLimitBody): A change to a role's refund limits (one per currency).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | RoleBody]
    """

    kwargs = _get_kwargs(
        role=role,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    role: SetRefundLimitRole,
    *,
    client: AuthenticatedClient,
    body: RefundLimitBody,
) -> Problem | RoleBody | None:
    """Sets a role's refund limit in one currency, or removes it (or all of the role's).

    Args:
        role (SetRefundLimitRole):
        body (RefundLimitBody): A change to a role's refund limits (one per currency).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | RoleBody
    """

    return (
        await asyncio_detailed(
            role=role,
            client=client,
            body=body,
        )
    ).parsed
