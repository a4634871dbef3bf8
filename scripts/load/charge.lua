-- wrk script: POST /v1/charges with a new ticket id each time, spread over 256 customers.
-- Arguments (after --): the department id and the help desk API key.
local threads = 0

function setup(thread)
  thread:set("thread_number", threads)
  threads = threads + 1
end

function init(args)
  department = args[1]
  key = args[2]
  counter = 0
end

function request()
  counter = counter + 1
  local customer = (counter * 7 + thread_number) % 256
  local body = string.format(
    '{"customer":{"email":"load%d@example.com"},"department_id":"%s","kind":"ticket","reference":"w%d-%d"}',
    customer, department, thread_number, counter)
  return wrk.format("POST", "/v1/charges",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key }, body)
end
