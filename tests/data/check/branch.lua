-- branch.lua -- an unknown global in a branch the checked period does not take.
ruleset { name = "Check – branch", currency = "VND" }

local orders = source "orders" { csv = "data/orders.csv", time = "date" }

kpi "revenue" { unit = "VND", better = "higher", minimum = 100, target = 300,
  value = function(p)
    if p.grain == "year" then
      return ordres:during(p):sum "amount"
    end
    return orders:during(p):sum "amount"
  end }
