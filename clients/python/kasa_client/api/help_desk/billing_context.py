from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.billing_context import BillingContext
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    customer_id: UUID | Unset = UNSET,
    email: str | Unset = UNSET,
    external_system: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    reply_to: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_customer_id: str | Unset = UNSET
    if not isinstance(customer_id, Unset):
        json_customer_id = str(customer_id)
    params["customer_id"] = json_customer_id

    params["email"] = email

    params["external_system"] = external_system

    params["external_id"] = external_id

    params["reply_to"] = reply_to

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/billing-context",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BillingContext | Problem | None:
    if response.status_code == 200:
        response_200 = BillingContext.from_dict(response.json())

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
) -> Response[BillingContext | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    customer_id: UUID | Unset = UNSET,
    email: str | Unset = UNSET,
    external_system: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    reply_to: str | Unset = UNSET,
) -> Response[BillingContext | Problem]:
    """A customer's billing context, by id, e-mail, external id, or the reply address of one of
    Kasa's e-mails (`reply_to`, e.g. the To of a customer's reply arriving in the help desk:
    `support+<customer>.<document>@…`).

    Args:
        customer_id (UUID | Unset):
        email (str | Unset):
        external_system (str | Unset):
        external_id (str | Unset):
        reply_to (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BillingContext | Problem]
    """

    kwargs = _get_kwargs(
        customer_id=customer_id,
        email=email,
        external_system=external_system,
        external_id=external_id,
        reply_to=reply_to,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    customer_id: UUID | Unset = UNSET,
    email: str | Unset = UNSET,
    external_system: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    reply_to: str | Unset = UNSET,
) -> BillingContext | Problem | None:
    """A customer's billing context, by id, e-mail, external id, or the reply address of one of
    Kasa's e-mails (`reply_to`, e.g. the To of a customer's reply arriving in the help desk:
    `support+<customer>.<document>@…`).

    Args:
        customer_id (UUID | Unset):
        email (str | Unset):
        external_system (str | Unset):
        external_id (str | Unset):
        reply_to (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BillingContext | Problem
    """

    return sync_detailed(
        client=client,
        customer_id=customer_id,
        email=email,
        external_system=external_system,
        external_id=external_id,
        reply_to=reply_to,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    customer_id: UUID | Unset = UNSET,
    email: str | Unset = UNSET,
    external_system: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    reply_to: str | Unset = UNSET,
) -> Response[BillingContext | Problem]:
    """A customer's billing context, by id, e-mail, external id, or the reply address of one of
    Kasa's e-mails (`reply_to`, e.g. the To of a customer's reply arriving in the help desk:
    `support+<customer>.<document>@…`).

    Args:
        customer_id (UUID | Unset):
        email (str | Unset):
        external_system (str | Unset):
        external_id (str | Unset):
        reply_to (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BillingContext | Problem]
    """

    kwargs = _get_kwargs(
        customer_id=customer_id,
        email=email,
        external_system=external_system,
        external_id=external_id,
        reply_to=reply_to,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    customer_id: UUID | Unset = UNSET,
    email: str | Unset = UNSET,
    external_system: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    reply_to: str | Unset = UNSET,
) -> BillingContext | Problem | None:
    """A customer's billing context, by id, e-mail, external id, or the reply address of one of
    Kasa's e-mails (`reply_to`, e.g. the To of a customer's reply arriving in the help desk:
    `support+<customer>.<document>@…`).

    Args:
        customer_id (UUID | Unset):
        email (str | Unset):
        external_system (str | Unset):
        external_id (str | Unset):
        reply_to (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BillingContext | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            customer_id=customer_id,
            email=email,
            external_system=external_system,
            external_id=external_id,
            reply_to=reply_to,
        )
    ).parsed
