#!/usr/bin/env Rscript
# Reference values for power / sample size / MDE from base R (stats::power.prop.test,
# stats::power.t.test) and pwr. Writes Tests/AnalysisTests/Fixtures/power_r.json, which
# scripts/reference/power.py merges with statsmodels values into power.json.
# Root-finding calls use tol = 1e-12 so the reference is exact to ~1e-12 (R's default tol,
# .Machine$double.eps^0.25 = 1.2e-4 on n, is recorded separately where quoted by ORACLES §4).
suppressMessages(library(pwr))
rows <- character()
add <- function(kind, quantity, inputs, call, value) {
  rows[length(rows) + 1] <<- sprintf('    {"kind": "%s", "quantity": "%s", "inputs": {%s}, "call": "%s", "value": %.17g}',
    kind, quantity, paste(sprintf('"%s": %s', names(inputs),
      sapply(inputs, function(v) if (is.character(v)) sprintf('"%s"', v) else if (is.logical(v)) tolower(as.character(v)) else sprintf("%.17g", v))), collapse = ", "),
    gsub('"', '\\\\"', call), value)
}
run <- function(kind, quantity, inputs, expr) {
  call <- deparse1(substitute(expr))
  add(kind, quantity, inputs, call, eval(substitute(expr)))
}

# --- proportions: power.prop.test (pooled variance under H0, unpooled under H1; equal n) ---
for (cs in list(list(p1 = 0.60, p2 = 0.62, a = 0.05, pw = 0.80), list(p1 = 0.10, p2 = 0.12, a = 0.01, pw = 0.90),
                list(p1 = 0.05, p2 = 0.045, a = 0.05, pw = 0.80), list(p1 = 0.30, p2 = 0.36, a = 0.10, pw = 0.95))) {
  for (strict in c(FALSE, TRUE)) {
    inputs <- list(control = cs$p1, treatment = cs$p2, alpha = cs$a, power = cs$pw, alternative = "two-sided", strict = strict, ratio = 1)
    add("proportion", "n", inputs,
        sprintf("power.prop.test(p1=%g, p2=%g, sig.level=%g, power=%g, strict=%s, tol=1e-12)$n", cs$p1, cs$p2, cs$a, cs$pw, strict),
        power.prop.test(p1 = cs$p1, p2 = cs$p2, sig.level = cs$a, power = cs$pw, strict = strict, tol = 1e-12)$n)
  }
  inputs <- list(control = cs$p1, treatment = cs$p2, alpha = cs$a, power = cs$pw, alternative = "greater", strict = FALSE, ratio = 1)
  add("proportion", "n", inputs,
      sprintf("power.prop.test(p1=%g, p2=%g, sig.level=%g, power=%g, alternative='one.sided', tol=1e-12)$n", cs$p1, cs$p2, cs$a, cs$pw),
      power.prop.test(p1 = cs$p1, p2 = cs$p2, sig.level = cs$a, power = cs$pw, alternative = "one.sided", tol = 1e-12)$n)
}
add("proportion", "n_default_tol", list(control = 0.6, treatment = 0.62, alpha = 0.05, power = 0.8, alternative = "two-sided", strict = FALSE, ratio = 1),
    "power.prop.test(p1=0.6, p2=0.62, power=0.8)$n", power.prop.test(p1 = 0.6, p2 = 0.62, power = 0.8)$n)
for (n in c(4700, 9336, 20000)) for (strict in c(FALSE, TRUE)) {
  add("proportion", "power", list(control = 0.6, treatment = 0.62, alpha = 0.05, n = n, alternative = "two-sided", strict = strict, ratio = 1),
      sprintf("power.prop.test(n=%g, p1=0.6, p2=0.62, strict=%s)$power", n, strict),
      power.prop.test(n = n, p1 = 0.6, p2 = 0.62, strict = strict)$power)
}
for (n in c(9336, 2000)) {
  add("proportion", "mde_treatment", list(control = 0.6, alpha = 0.05, power = 0.8, n = n, alternative = "two-sided", strict = FALSE, ratio = 1),
      sprintf("power.prop.test(n=%g, p1=0.6, power=0.8, tol=1e-12)$p2", n),
      power.prop.test(n = n, p1 = 0.6, power = 0.8, tol = 1e-12)$p2)
}

# --- means: power.t.test (one tail counted unless strict) and pwr.t.test (both tails) ---
for (cs in list(list(d = 0.1, sd = 1, a = 0.05, pw = 0.8), list(d = 0.2, sd = 1, a = 0.05, pw = 0.8),
                list(d = 0.1, sd = 1, a = 0.05, pw = 0.9), list(d = 0.2, sd = 1, a = 0.05, pw = 0.9),
                list(d = 1.5, sd = 3, a = 0.01, pw = 0.85), list(d = 0.8, sd = 1, a = 0.05, pw = 0.8))) {
  for (strict in c(FALSE, TRUE)) {
    add("mean", "n", list(delta = cs$d, sd = cs$sd, alpha = cs$a, power = cs$pw, alternative = "two-sided", strict = strict, ratio = 1, method = "t"),
        sprintf("power.t.test(delta=%g, sd=%g, sig.level=%g, power=%g, strict=%s, tol=1e-12)$n", cs$d, cs$sd, cs$a, cs$pw, strict),
        power.t.test(delta = cs$d, sd = cs$sd, sig.level = cs$a, power = cs$pw, strict = strict, tol = 1e-12)$n)
  }
  add("mean", "n", list(delta = cs$d, sd = cs$sd, alpha = cs$a, power = cs$pw, alternative = "greater", strict = FALSE, ratio = 1, method = "t"),
      sprintf("power.t.test(delta=%g, sd=%g, sig.level=%g, power=%g, alternative='one.sided', tol=1e-12)$n", cs$d, cs$sd, cs$a, cs$pw),
      power.t.test(delta = cs$d, sd = cs$sd, sig.level = cs$a, power = cs$pw, alternative = "one.sided", tol = 1e-12)$n)
  dd <- cs$d / cs$sd
  add("mean", "n", list(delta = cs$d, sd = cs$sd, alpha = cs$a, power = cs$pw, alternative = "two-sided", strict = TRUE, ratio = 1, method = "t"),
      sprintf("uniroot(function(n) pwr.t.test(n=n, d=%.17g, sig.level=%g)$power - %g, c(2+1e-10, 1e9), tol=1e-12)$root  # pwr.t.test(d=%g, power=%g) with a tight tolerance", dd, cs$a, cs$pw, dd, cs$pw),
      uniroot(function(n) pwr.t.test(n = n, d = dd, sig.level = cs$a)$power - cs$pw, c(2 + 1e-10, 1e9), tol = 1e-12)$root)
}
add("mean", "n_default_tol", list(delta = 0.1, sd = 1, alpha = 0.05, power = 0.8, alternative = "two-sided", strict = TRUE, ratio = 1, method = "t"),
    "pwr.t.test(d=0.1, power=0.8)$n", pwr.t.test(d = 0.1, power = 0.8)$n)
for (n in c(100, 1571, 400)) {
  add("mean", "power", list(delta = 0.1, sd = 1, alpha = 0.05, n = n, alternative = "two-sided", strict = TRUE, ratio = 1, method = "t"),
      sprintf("pwr.t.test(n=%g, d=0.1)$power", n), pwr.t.test(n = n, d = 0.1)$power)
  add("mean", "power", list(delta = 0.1, sd = 1, alpha = 0.05, n = n, alternative = "two-sided", strict = FALSE, ratio = 1, method = "t"),
      sprintf("power.t.test(n=%g, delta=0.1)$power", n), power.t.test(n = n, delta = 0.1)$power)
  add("mean", "power", list(delta = 0.1, sd = 1, alpha = 0.05, n = n, alternative = "greater", strict = FALSE, ratio = 1, method = "t"),
      sprintf("pwr.t.test(n=%g, d=0.1, alternative='greater')$power", n), pwr.t.test(n = n, d = 0.1, alternative = "greater")$power)
}
add("mean", "mde_delta", list(sd = 2, alpha = 0.05, power = 0.8, n = 500, alternative = "two-sided", strict = FALSE, ratio = 1, method = "t"),
    "power.t.test(n=500, sd=2, power=0.8, tol=1e-12)$delta", power.t.test(n = 500, sd = 2, power = 0.8, tol = 1e-12)$delta)

out <- file.path("Tests", "AnalysisTests", "Fixtures", "power_r.json")
writeLines(c("{", sprintf('  "software": "%s; pwr %s",', R.version.string, as.character(packageVersion("pwr"))),
             '  "cases": [', paste(rows, collapse = ",\n"), "  ]", "}"), out)
cat("wrote", out, length(rows), "values\n")
