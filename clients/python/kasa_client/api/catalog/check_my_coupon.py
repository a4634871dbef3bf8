from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.coupon_check_body import CouponCheckBody
from ...models.problem import Problem
from ...types import UNSET, Response


def _get_kwargs(
    code: str,
    *,
    package_id: UUID,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_package_id = str(package_id)
    params["package_id"] = json_package_id

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/me/coupons/{code}".format(
            code=quote(str(code), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CouponCheckBody | Problem | None:
    if response.status_code == 200:
        response_200 = CouponCheckBody.from_dict(response.json())

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
) -> Response[CouponCheckBody | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    code: str,
    *,
    client: AuthenticatedClient,
    package_id: UUID,
) -> Response[CouponCheckBody | Problem]:
    """Whether a coupon code applies to a package for the signed-in customer, and the price
    they would pay (with a billing link's token only). Nothing is redeemed.

    Args:
        code (str):
        package_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CouponCheckBody | Problem]
    """

    kwargs = _get_kwargs(
        code=code,
        package_id=package_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    code: str,
    *,
    client: AuthenticatedClient,
    package_id: UUID,
) -> CouponCheckBody | Problem | None:
    """Whether a coupon code applies to a package for the signed-in customer, and the price
    they would pay (with a billing link's token only). Nothing is redeemed.

    Args:
        code (str):
        package_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CouponCheckBody | Problem
    """

    return sync_detailed(
        code=code,
        client=client,
        package_id=package_id,
    ).parsed


async def asyncio_detailed(
    code: str,
    *,
    client: AuthenticatedClient,
    package_id: UUID,
) -> Response[CouponCheckBody | Problem]:
    """Whether a coupon code applies to a package for the signed-in customer, and the price
    they would pay (with a billing link's token only). Nothing is redeemed.

    Args:
        code (str):
        package_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CouponCheckBody | Problem]
    """

    kwargs = _get_kwargs(
        code=code,
        package_id=package_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    code: str,
    *,
    client: AuthenticatedClient,
    package_id: UUID,
) -> CouponCheckBody | Problem | None:
    """Whether a coupon code applies to a package for the signed-in customer, and the price
    they would pay (with a billing link's token only). Nothing is redeemed.

    Args:
        code (str):
        package_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CouponCheckBody | Problem
    """

    return (
        await asyncio_detailed(
            code=code,
            client=client,
            package_id=package_id,
        )
    ).parsed
