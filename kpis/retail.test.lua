-- retail.test.lua -- test cases for retail.lua: `kpiengine test kpis/retail.lua`.
--
-- Each case replaces the sources it names in `data` with the rows given here (types
-- are inferred as from the source's CSV file); the other sources keep their real data.
-- The expected values are worked out by hand from these rows, in the comments.

-- Four orders in August 2024 from three customers; C1 also bought in July.
local orders = {
  { date = "2024-07-10", customer_id = "C1", channel = "social", campaign = "",
    device = "mobile", amount = 100000 },
  { date = "2024-08-01", customer_id = "C1", channel = "social", campaign = "",
    device = "mobile", amount = 120000 },
  { date = "2024-08-05", customer_id = "C2", channel = "email", campaign = "",
    device = "desktop", amount = 300000 },
  { date = "2024-08-20", customer_id = "C3", channel = "social", campaign = "Back to School",
    device = "mobile", amount = 180000 },
  { date = "2024-08-31", customer_id = "C2", channel = "social", campaign = "",
    device = "mobile", amount = 200000 },
}

-- Marketing spend: 300,000 in August, 100,000 of it on the campaign.
local spend = {
  { date = "2024-07-30", channel = "social", campaign = "", cost = 999999 },
  { date = "2024-08-02", channel = "social", campaign = "", cost = 150000 },
  { date = "2024-08-15", channel = "email", campaign = "", cost = 50000 },
  { date = "2024-08-20", channel = "social", campaign = "Back to School", cost = 100000 },
}

test "sales of a quiet month" {
  period = "2024-08",
  data = { orders = orders },
  expect = {
    revenue = 800000,          -- 120,000 + 300,000 + 180,000 + 200,000
    order_count = 4,
    aov = 200000,              -- 800,000 / 4
    customers = 3,             -- C1, C2, C3
    new_customers = 2,         -- C2 and C3: C1 bought in July
    campaign_revenue = 180000, -- the one order with a campaign
    retention = 1,             -- July's only buyer, C1, came back
    churn = 0,
    status = { revenue = "below_minimum", aov = "below_minimum",
               clv = "no_data" },  -- churn 0: lifetime value divides by zero
  },
}

test "acquisition cost and campaign return" {
  period = "2024-08",
  data = { orders = orders, spend = spend },
  expect = {
    cac = 150000,  -- 300,000 spent in August / 2 new customers
    roi = 0.8,     -- (180,000 campaign revenue - 100,000 campaign cost) / 100,000
    status = { cac = "met_target", roi = "met_minimum" },
  },
}

test "the month so far" {
  period = "2024-08", as_of = "2024-08-10",  -- August 1-10 only
  data = { orders = orders },
  expect = {
    revenue = 420000,  -- 120,000 (Aug 1) + 300,000 (Aug 5)
    order_count = 2,
    customers = 2,
  },
}
