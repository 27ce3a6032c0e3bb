-- shop.test.lua -- cases that all pass (e2e_test_cmd.c); values worked out from the rows.

test "real data when no source is replaced" {
  period = "2024-06",
  expect = {
    revenue = 1700,      -- data/orders.csv: 400 + 1000 + 300 in June
    orders = 3,
    new_customers = 2,   -- C3, C4 (C1 bought in May)
    cac = 300,           -- (400 + 200) / 2
    refunds = 10.25,     -- data/returns.csv, read with ";" and ","
    visits = 30,         -- data/visits.db: 10 + 20
    status = { cac = "met_target", revenue = "met_minimum" },
  },
}

test "inline rows replace orders" {
  period = "2024-06",
  data = { orders = {
    { date = "2024-06-04", customer_id = "C9", amount = 250.5 },
    { date = "2024-06-09", customer_id = "C8", amount = 149.5 },
    { date = "2024-06-11", customer_id = "C7", amount = 100 },
    { date = "2024-07-01", customer_id = "C6", amount = 1e6 },
  } },
  expect = {
    revenue = 500,       -- 250.5 + 149.5 + 100
    orders = 3,
    new_customers = 3,
    cac = 200,           -- the real spend, 600 / 3
    status = { revenue = "below_minimum", cac = "met_target" },
  },
}

test "a key a row lacks is null, and text is quoted" {
  period = "2024-06",
  data = { orders = {
    { date = "2024-06-01", customer_id = "Nguyễn, \"A\"" },   -- no amount: null
    { date = "2024-06-02", customer_id = "C2", amount = 10 },
    { date = "2024-06-03", customer_id = "Nguyễn, \"A\"", amount = 5 },
  } },
  expect = {
    revenue = 15,        -- the null amount is skipped: 10 + 5
    orders = 3,          -- but its row counts
    new_customers = 2,   -- the quoted name is one customer, C2 the other
  },
}

test "a fixture file replaces spend" {
  period = "2024-06",
  data = { spend = "fixtures/spend.csv" },
  expect = {
    cac = 450,           -- (500 + 400) / 2 new customers in the real orders
    status = { cac = "met_minimum" },
  },
}

test "a sqlite fixture replaces visits" {
  period = "2024-06",
  data = { visits = "fixtures/visits.db" },
  expect = { visits = 7, status = { visits = "below_minimum" } },  -- 3 + 4
}

test "inline rows are read with the source's CSV options" {
  period = "2024-06",
  data = { returns = { { date = "2024-06-07", refund = 12.5 },
                       { date = "2024-06-08", refund = 0.25 } } },
  expect = { refunds = 12.75 },
}

test "as_of alone picks its period, counted to date" {
  as_of = "2024-06-10",
  expect = { revenue = 400, orders = 1 },  -- June 1-10: the order of June 2
}

test "a relative tolerance" {
  period = "2024-06",
  tolerance = 1e-3,
  expect = { revenue = 1700.5 },  -- 0.5 off 1700: within 0.1%
}

test "the next case sees the real data again" {
  period = "2024-06",
  expect = { revenue = 1700, new_customers = 2, cac = 300 },  -- as in the first case
}
