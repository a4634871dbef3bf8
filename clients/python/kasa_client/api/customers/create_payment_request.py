from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.payment_request_body import PaymentRequestBody
from ...models.payment_request_create import PaymentRequestCreate
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: UUID,
    *,
    body: PaymentRequestCreate,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/customers/{id}/payment-requests".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json; charset=utf-8"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PaymentRequestBody | Problem | None:
    if response.status_code == 200:
        response_200 = PaymentRequestBody.from_dict(response.json())

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[PaymentRequestBody | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: PaymentRequestCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[PaymentRequestBody | Problem]:
    """Asks a customer to pay a package at its current price (less a coupon's discount, when
    one is given) or an amount, with a description and an expiry; Kasa e-mails the customer
    a link to the request's page (audited).

    Args:
        id (UUID):
        idempotency_key (str | Unset):
        body (PaymentRequestCreate): Ask a customer to pay a package or an amount: give exactly
            one of `package_id` and `amount`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PaymentRequestBody | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: PaymentRequestCreate,
    idempotency_key: str | Unset = UNSET,
) -> PaymentRequestBody | Problem | None:
    """Asks a customer to pay a package at its current price (less a coupon's discount, when
    one is given) or an amount, with a description and an expiry; Kasa e-mails the customer
    a link to the request's page (audited).

    Args:
        id (UUID):
        idempotency_key (str | Unset):
        body (PaymentRequestCreate): Ask a customer to pay a package or an amount: give exactly
            one of `package_id` and `amount`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PaymentRequestBody | Problem
    """

    return sync_detailed(
        id=id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: PaymentRequestCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[PaymentRequestBody | Problem]:
    """Asks a customer to pay a package at its current price (less a coupon's discount, when
    one is given) or an amount, with a description and an expiry; Kasa e-mails the customer
    a link to the request's page (audited).

    Args:
        id (UUID):
        idempotency_key (str | Unset):
        body (PaymentRequestCreate): Ask a customer to pay a package or an amount: give exactly
            one of `package_id` and `amount`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PaymentRequestBody | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: PaymentRequestCreate,
    idempotency_key: str | Unset = UNSET,
) -> PaymentRequestBody | Problem | None:
    """Asks a customer to pay a package at its current price (less a coupon's discount, when
    one is given) or an amount, with a description and an expiry; Kasa e-mails the customer
    a link to the request's page (audited).

    Args:
        id (UUID):
        idempotency_key (str | Unset):
        body (PaymentRequestCreate): Ask a customer to pay a package or an amount: give exactly
            one of `package_id` and `amount`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PaymentRequestBody | Problem
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
