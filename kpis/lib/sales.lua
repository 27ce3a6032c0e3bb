-- sales.lua -- B2B pipeline formulas: won and lost deals, sales cycle, deal size and
-- the unit economics of acquiring an account.
--
-- `deals` is a table whose time column is the close date (a deal still open has none,
-- so it never falls in a period); `stage` is "won", "lost" or "open".
local safe = require "safe"

local M = {}

-- Deals won in the period (a View).
function M.won(deals, p)
  return deals:during(p):where { stage = "won" }
end

-- Won / (won + lost) among the deals closed in the period.
function M.win_rate(deals, p)
  local closed = deals:during(p)
  return safe.div(closed:where { stage = "won" }:count(),
                  closed:where { stage = { "won", "lost" } }:count())
end

function M.win_rate_by(deals, p, by)
  local closed = deals:during(p)
  return closed:where { stage = "won" }:by(by):count()
       / closed:where { stage = { "won", "lost" } }:by(by):count()
end

-- Accounts whose first won deal closed in the period.
function M.new_accounts(deals, p, id)
  local won = deals:where { stage = "won" }
  return (won:during(p):ids(id) - won:before(p):ids(id)):count()
end

-- Accounts with a won deal closed before the end of the period.
function M.accounts_to_date(deals, p, id)
  local won = deals:where { stage = "won" }
  return (won:before(p):ids(id) + won:during(p):ids(id)):count()
end

-- Months of gross margin from one new account's contract that pay back its
-- acquisition cost; contracts are annual, `deal_size` their yearly value.
function M.cac_payback(cac, deal_size, margin)
  return safe.div(cac, safe.mul(safe.div(deal_size, 12), margin))
end

-- Lifetime value of an account: yearly contract value at the gross margin over the
-- expected number of years an account stays.
function M.lifetime_value(deal_size, margin, years)
  return safe.mul(safe.mul(deal_size, margin), years)
end

return M
