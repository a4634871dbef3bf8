from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.reason_body import ReasonBody
from ...models.webhook_delivery_body import WebhookDeliveryBody
from ...types import Response


def _get_kwargs(
    id: UUID,
    event_id: str,
    *,
    body: ReasonBody,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/webhook-endpoints/{id}/deliveries/{event_id}/replay".format(
            id=quote(str(id), safe=""),
            event_id=quote(str(event_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json; charset=utf-8"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | WebhookDeliveryBody | None:
    if response.status_code == 200:
        response_200 = WebhookDeliveryBody.from_dict(response.json())

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
) -> Response[Problem | WebhookDeliveryBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: UUID,
    event_id: str,
    *,
    client: AuthenticatedClient,
    body: ReasonBody,
) -> Response[Problem | WebhookDeliveryBody]:
    """Sends an event to the endpoint again (the worker posts it within seconds), delivered
    before or not. Audited (`webhook.replayed`) with the reason.

    Args:
        id (UUID):
        event_id (str):
        body (ReasonBody): Why (for the audit log).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WebhookDeliveryBody]
    """

    kwargs = _get_kwargs(
        id=id,
        event_id=event_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: UUID,
    event_id: str,
    *,
    client: AuthenticatedClient,
    body: ReasonBody,
) -> Problem | WebhookDeliveryBody | None:
    """Sends an event to the endpoint again (the worker posts it within seconds), delivered
    before or not. Audited (`webhook.replayed`) with the reason.

    Args:
        id (UUID):
        event_id (str):
        body (ReasonBody): Why (for the audit log).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WebhookDeliveryBody
    """

    return sync_detailed(
        id=id,
        event_id=event_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    id: UUID,
    event_id: str,
    *,
    client: AuthenticatedClient,
    body: ReasonBody,
) -> Response[Problem | WebhookDeliveryBody]:
    """Sends an event to the endpoint again (the worker posts it within seconds), delivered
    before or not. Audited (`webhook.replayed`) with the reason.

    Args:
        id (UUID):
        event_id (str):
        body (ReasonBody): Why (for the audit log).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WebhookDeliveryBody]
    """

    kwargs = _get_kwargs(
        id=id,
        event_id=event_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: UUID,
    event_id: str,
    *,
    client: AuthenticatedClient,
    body: ReasonBody,
) -> Problem | WebhookDeliveryBody | None:
    """Sends an event to the endpoint again (the worker posts it within seconds), delivered
    before or not. Audited (`webhook.replayed`) with the reason.

    Args:
        id (UUID):
        event_id (str):
        body (ReasonBody): Why (for the audit log).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WebhookDeliveryBody
    """

    return (
        await asyncio_detailed(
            id=id,
            event_id=event_id,
            client=client,
            body=body,
        )
    ).parsed
