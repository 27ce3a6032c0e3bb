-- shop.lua -- a small rule set for the tests of `kpiengine test` (e2e_test_cmd.c).
ruleset { name = "Test shop", grain = "month" }

local orders  = source "orders"  { csv = "data/orders.csv", time = "date",
                                   columns = { amount = "decimal(2)" } }
local spend   = source "spend"   { csv = "data/spend.csv", time = "date" }
local returns = source "returns" { csv = "data/returns.csv", time = "date",
                                   delimiter = ";", decimal = "," }
local visits  = source "visits"  { sqlite = "data/visits.db",
                                   query = "SELECT day, visits FROM visits", time = "day" }

kpi "revenue" { unit = "VND", better = "higher", minimum = 1000, target = 2000,
  value = function(p) return orders:during(p):sum "amount" end }
kpi "orders" { unit = "count", better = "higher", minimum = 2, target = 4,
  value = function(p) return orders:during(p):count() end }
kpi "new_customers" { unit = "count", better = "higher", minimum = 1, target = 3,
  value = function(p)
    return (orders:during(p):ids "customer_id" - orders:before(p):ids "customer_id"):count()
  end }
kpi "cac" { unit = "VND", better = "lower", minimum = 500, target = 300,
  value = function(p, k) return spend:during(p):sum "cost" / k.new_customers end }
kpi "refunds" { unit = "VND", better = "lower", minimum = 50, target = 20,
  value = function(p) return returns:during(p):sum "refund" end }
kpi "visits" { unit = "count", better = "higher", minimum = 20, target = 40,
  value = function(p) return visits:during(p):sum "visits" end }
