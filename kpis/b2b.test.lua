-- b2b.test.lua -- test cases for b2b.lua: `kpiengine test kpis/b2b.lua`.
--
-- Each case replaces the sources it names in `data` with the rows given here (types
-- are inferred as from the source's CSV file); the other sources keep their real data.
-- The expected values are worked out by hand from these rows, in the comments.

-- Six deals: A1 first won in February; in March three deals won (A2, A3 and A1 again),
-- one lost, one still open (no close date).
local deals = {
  { deal_id = "D1", account_id = "A1", created = "2024-01-10", closed = "2024-02-15",
    stage = "won", amount = 100e6, owner = "An", source = "outbound", campaign = "",
    cycle_days = 36 },
  { deal_id = "D2", account_id = "A2", created = "2024-02-01", closed = "2024-03-05",
    stage = "won", amount = 200e6, owner = "An", source = "google_ads", campaign = "",
    cycle_days = 33 },
  { deal_id = "D3", account_id = "A3", created = "2024-02-10", closed = "2024-03-12",
    stage = "won", amount = 100e6, owner = "Binh", source = "outbound", campaign = "",
    cycle_days = 31 },
  { deal_id = "D4", account_id = "A1", created = "2024-02-20", closed = "2024-03-20",
    stage = "won", amount = 150e6, owner = "Binh", source = "outbound", campaign = "",
    cycle_days = 29 },
  { deal_id = "D5", account_id = "A4", created = "2024-03-01", closed = "2024-03-25",
    stage = "lost", amount = 80e6, owner = "An", source = "google_ads", campaign = "",
    cycle_days = 24 },
  { deal_id = "D6", account_id = "A5", created = "2024-03-10",
    stage = "open", amount = 60e6, owner = "Binh", source = "event", campaign = "" },
}

-- 50 million spent in March (the February row is outside the period).
local spend = {
  { date = "2024-02-28", channel = "linkedin", campaign = "", cost = 99e6 },
  { date = "2024-03-01", channel = "linkedin", campaign = "", cost = 30e6 },
  { date = "2024-03-15", channel = "website", campaign = "", cost = 20e6 },
}

test "deals closed in March" {
  period = "2024-03",
  data = { deals = deals, pipeline = deals },
  expect = {
    revenue = 450e6,          -- D2 + D3 + D4: 200 + 100 + 150 million
    deals_won = 3,
    win_rate = 0.75,          -- 3 won / (3 won + 1 lost)
    sales_cycle = 31,         -- (33 + 31 + 29) / 3
    deal_size = 150e6,        -- 450 million / 3
    median_deal = 150e6,      -- the middle of 100, 150, 200 million
    new_customers = 2,        -- A2 and A3: A1 first won in February
    customers = 3,            -- A1, A2, A3
    pipeline_created = 140e6, -- created in March: D5 (80) + D6 (60 million)
    status = { revenue = "below_minimum", win_rate = "met_target",
               sales_cycle = "met_target" },
  },
}

test "unit economics" {
  period = "2024-03",
  data = { deals = deals, spend = spend },
  expect = {
    cac = 25e6,                   -- 50 million / 2 new customers
    ltv = 315e6,                  -- 150 million * 0.70 margin * 3 years
    ltv_cac = 12.6,               -- 315 / 25
    cac_payback = 20 / 7,         -- 25 / (150 / 12 * 0.70) months
    status = { cac = "met_target", ltv_cac = "met_target",
               roi = "no_data" }, -- no won deal carries a campaign
  },
}

test "the quarter" {
  period = "2024-Q1",
  data = { deals = deals },
  expect = {
    revenue = 550e6,    -- D1 + D2 + D3 + D4
    deals_won = 4,
    new_customers = 3,  -- A1, A2, A3
  },
}

test "March to the 15th" {
  period = "2024-03", as_of = "2024-03-15",
  data = { deals = deals },
  expect = {
    revenue = 300e6,  -- D2 (March 5) + D3 (March 12)
    deals_won = 2,
  },
}
