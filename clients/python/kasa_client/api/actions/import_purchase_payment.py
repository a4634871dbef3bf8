from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.import_result_body import ImportResultBody
from ...models.imported_payment_create import ImportedPaymentCreate
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    id: UUID,
    *,
    body: ImportedPaymentCreate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/purchases/{id}/imported-payments".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json; charset=utf-8"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ImportResultBody | Problem | None:
    if response.status_code == 200:
        response_200 = ImportResultBody.from_dict(response.json())

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
) -> Response[ImportResultBody | Problem]:
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
    body: ImportedPaymentCreate,
) -> Response[ImportResultBody | Problem]:
    """Records a payment made elsewhere (a bank transfer, cash, another processor) against a
    pending purchase: its payment at a gateway is given up first, then the purchase completes
    as a gateway payment would (credits or term, departments, invoice, mail, webhooks),
    audited. Idempotent by reference.

    Args:
        id (UUID):
        body (ImportedPaymentCreate): A payment received elsewhere.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ImportResultBody | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: ImportedPaymentCreate,
) -> ImportResultBody | Problem | None:
    """Records a payment made elsewhere (a bank transfer, cash, another processor) against a
    pending purchase: its payment at a gateway is given up first, then the purchase completes
    as a gateway payment would (credits or term, departments, invoice, mail, webhooks),
    audited. Idempotent by reference.

    Args:
        id (UUID):
        body (ImportedPaymentCreate): A payment received elsewhere.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ImportResultBody | Problem
    """

    return sync_detailed(
        id=id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: ImportedPaymentCreate,
) -> Response[ImportResultBody | Problem]:
    """Records a payment made elsewhere (a bank transfer, cash, another processor) against a
    pending purchase: its payment at a gateway is given up first, then the purchase completes
    as a gateway payment would (credits or term, departments, invoice, mail, webhooks),
    audited. Idempotent by reference.

    Args:
        id (UUID):
        body (ImportedPaymentCreate): A payment received elsewhere.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ImportResultBody | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: ImportedPaymentCreate,
) -> ImportResultBody | Problem | None:
    """Records a payment made elsewhere (a bank transfer, cash, another processor) against a
    pending purchase: its payment at a gateway is given up first, then the purchase completes
    as a gateway payment would (credits or term, departments, invoice, mail, webhooks),
    audited. Idempotent by reference.

    Args:
        id (UUID):
        body (ImportedPaymentCreate): A payment received elsewhere.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ImportResultBody | Problem
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            body=body,
        )
    ).parsed
