-- failing.test.lua -- one case that passes and four that fail (e2e_test_cmd.c).
test "passes" { period = "2024-06", expect = { revenue = 1700 } }

test "wrong values" {
  period = "2024-06",
  expect = { revenue = 1800, orders = 3, status = { cac = "met_minimum" } },
}

test "no data" { period = "2024-08", expect = { revenue = 100 } }

test "malformed fixture" { period = "2024-06", data = { orders = "fixtures/ragged.csv" },
                           expect = { orders = 1 } }

test "a KPI fails on this data" {
  period = "2024-06",
  data = { orders = { { date = "2024-06-01", amount = 10 } } },  -- no customer_id
  expect = { orders = 1 },
}
