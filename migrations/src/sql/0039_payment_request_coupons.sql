-- A coupon an agent puts on a payment request (issue 16): the coupon as priced when the request
-- was made (its id, code, list price, discount and the instant its dates were judged), as JSON
-- in the shape of a purchase's coupon; the request's amount is the discounted price. Redeemed
-- with the purchase that pays the request, like a checkout's coupon.

ALTER TABLE payment_requests ADD COLUMN coupon {json} NULL;
