-- safe.lua -- arithmetic on values that may be missing.
--
-- An aggregate over no rows is nil (no data), and so is a KPI without a value in
-- `k`. These helpers pass nil through instead of raising "attempt to perform
-- arithmetic on a nil value", so a quiet period reports "no data", not a script
-- error. A zero divisor is left to the engine, which reports it as no data too.
local M = {}

function M.div(a, b)
  if a == nil or b == nil then return nil end
  return a / b
end

function M.sub(a, b)
  if a == nil or b == nil then return nil end
  return a - b
end

function M.mul(a, b)
  if a == nil or b == nil then return nil end
  return a * b
end

-- 1 - x: the complement of a rate (churn from retention).
function M.complement(x)
  if x == nil then return nil end
  return 1 - x
end

return M
