from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.charge_allowed import ChargeAllowed
from ...models.charge_request import ChargeRequest
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: ChargeRequest,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/charges",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json; charset=utf-8"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ChargeAllowed | Problem | None:
    if response.status_code == 200:
        response_200 = ChargeAllowed.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 402:
        response_402 = Problem.from_dict(response.json())

        return response_402

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ChargeAllowed | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: ChargeRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[ChargeAllowed | Problem]:
    """Charges a ticket or chat when it opens: once per ticket or chat id, never per reply.
    Allowed: 200 with the credits charged and the balance left. Refused: 402 with a problem
    whose `code` says why and whose `facts` give the balance, the price and the packages
    that would cover the department.

    Args:
        idempotency_key (str | Unset):
        body (ChargeRequest): A help desk asks to open a ticket or chat. Example: {'customer':
            {'customer_id': None, 'email': 'ayse@example.com', 'external_id': None, 'external_system':
            None}, 'department_id': '0193a5c2-7d4e-7000-8000-000000000001', 'kind': 'ticket',
            'reference': '12345'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ChargeAllowed | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: ChargeRequest,
    idempotency_key: str | Unset = UNSET,
) -> ChargeAllowed | Problem | None:
    """Charges a ticket or chat when it opens: once per ticket or chat id, never per reply.
    Allowed: 200 with the credits charged and the balance left. Refused: 402 with a problem
    whose `code` says why and whose `facts` give the balance, the price and the packages
    that would cover the department.

    Args:
        idempotency_key (str | Unset):
        body (ChargeRequest): A help desk asks to open a ticket or chat. Example: {'customer':
            {'customer_id': None, 'email': 'ayse@example.com', 'external_id': None, 'external_system':
            None}, 'department_id': '0193a5c2-7d4e-7000-8000-000000000001', 'kind': 'ticket',
            'reference': '12345'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ChargeAllowed | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: ChargeRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[ChargeAllowed | Problem]:
    """Charges a ticket or chat when it opens: once per ticket or chat id, never per reply.
    Allowed: 200 with the credits charged and the balance left. Refused: 402 with a problem
    whose `code` says why and whose `facts` give the balance, the price and the packages
    that would cover the department.

    Args:
        idempotency_key (str | Unset):
        body (ChargeRequest): A help desk asks to open a ticket or chat. Example: {'customer':
            {'customer_id': None, 'email': 'ayse@example.com', 'external_id': None, 'external_system':
            None}, 'department_id': '0193a5c2-7d4e-7000-8000-000000000001', 'kind': 'ticket',
            'reference': '12345'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ChargeAllowed | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: ChargeRequest,
    idempotency_key: str | Unset = UNSET,
) -> ChargeAllowed | Problem | None:
    """Charges a ticket or chat when it opens: once per ticket or chat id, never per reply.
    Allowed: 200 with the credits charged and the balance left. Refused: 402 with a problem
    whose `code` says why and whose `facts` give the balance, the price and the packages
    that would cover the department.

    Args:
        idempotency_key (str | Unset):
        body (ChargeRequest): A help desk asks to open a ticket or chat. Example: {'customer':
            {'customer_id': None, 'email': 'ayse@example.com', 'external_id': None, 'external_system':
            None}, 'department_id': '0193a5c2-7d4e-7000-8000-000000000001', 'kind': 'ticket',
            'reference': '12345'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ChargeAllowed | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
