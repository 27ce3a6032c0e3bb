-- Shared formulas for the retail rule sets.
local fin = {}

function fin.ratio(a, b)
  return a / b
end

function fin.share(part, whole)
  return part / whole
end

return fin
