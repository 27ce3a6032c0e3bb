-- The base retail rule set of the tests (tests/test_lua_rules.c).
ruleset { name = "Retail test", currency = "VND", locale = "vi", grain = "month" }

local fin = require "fin"
local orders = source "orders" { csv = "data/orders.csv", time = "date" }
local spend  = source "spend"  { csv = "data/spend.csv", time = "date",
                                 columns = { cost = "decimal(2)" } }

review "monthly" { every = "month", day = 5 }

kpi "revenue" {
  title = "Revenue", unit = "VND", better = "higher", owner = "Sales", review = "monthly",
  minimum = 500, target = 700,
  value = function(p) return orders:during(p):sum "amount" end,
  breakdown = function(p) return orders:during(p):by "channel":sum "amount" end,
}

kpi "orders" { unit = "count", better = "higher", minimum = 5, target = 10,
  value = function(p) return orders:during(p):count() end }

kpi "aov" { title = "Average order value", unit = "VND", better = "higher",
  minimum = 80, target = 120,
  value = function(p, k) return fin.ratio(k.revenue, k.orders) end }

kpi "new_customers" { unit = "count", better = "higher", minimum = 2, target = 4,
  value = function(p)
    return (orders:during(p):ids "customer_id" - orders:before(p):ids "customer_id"):count()
  end }

kpi "cac" { title = "Customer acquisition cost", unit = "VND", better = "lower",
  minimum = 600, target = 450,
  value = function(p, k) return spend:during(p):sum "cost" / k.new_customers end,
  breakdown = function(p)
    return spend:during(p):by "channel":sum "cost"
  end }
