#!/usr/bin/env Rscript
# Reference values for group sequential designs and repeated-significance (naive peeking)
# probabilities, from rpact. Writes Tests/AnalysisTests/Fixtures/sequential.json.
# Usage (from the repository root): Rscript scripts/reference/sequential.R
# jsonlite is not assumed to be installed: JSON is written by hand with %.17g.
suppressMessages(library(rpact))

num <- function(x) paste0("[", paste(sprintf("%.17g", x), collapse = ", "), "]")
str <- function(s) paste0('"', gsub('"', '\\\\"', s), '"')
fmtvec <- function(x) paste0("c(", paste(format(x, digits = 15), collapse = ", "), ")")

designs <- list()
add_design <- function(type, fractions, gammaA = NA, userAlphaSpending = NULL, spendingLabel = NULL) {
  K <- length(fractions)
  args <- list(kMax = K, alpha = 0.05, sided = 2, typeOfDesign = type, informationRates = fractions)
  call <- sprintf("getDesignGroupSequential(kMax=%d, alpha=0.05, sided=2, typeOfDesign=\"%s\", informationRates=%s", K, type, fmtvec(fractions))
  if (!is.na(gammaA)) { args$gammaA <- gammaA; call <- paste0(call, sprintf(", gammaA=%g", gammaA)) }
  if (!is.null(userAlphaSpending)) { args$userAlphaSpending <- userAlphaSpending; call <- paste0(call, ", userAlphaSpending=", fmtvec(userAlphaSpending)) }
  call <- paste0(call, ")")
  d <- do.call(getDesignGroupSequential, args)
  c80 <- getDesignCharacteristics(do.call(getDesignGroupSequential, c(args, list(beta = 0.2))))
  c90 <- getDesignCharacteristics(do.call(getDesignGroupSequential, c(args, list(beta = 0.1))))
  designs[[length(designs) + 1]] <<- paste0("    {",
    "\"typeOfDesign\": ", str(type), ", ",
    "\"spending\": ", str(if (is.null(spendingLabel)) type else spendingLabel), ", ",
    "\"gammaA\": ", if (is.na(gammaA)) "null" else sprintf("%.17g", gammaA), ", ",
    "\"informationRates\": ", num(fractions), ",\n      ",
    "\"call\": ", str(call), ",\n      ",
    "\"criticalValues\": ", num(d$criticalValues), ",\n      ",
    "\"alphaSpent\": ", num(d$alphaSpent), ",\n      ",
    "\"stageLevelsOneSided\": ", num(d$stageLevels), ",\n      ",
    "\"characteristicsCall\": ", str("getDesignCharacteristics(<same design with beta=0.2 | beta=0.1>)"), ",\n      ",
    "\"inflationFactor80\": ", sprintf("%.17g", c80$inflationFactor), ", ",
    "\"inflationFactor90\": ", sprintf("%.17g", c90$inflationFactor), ",\n      ",
    "\"nFixed80\": ", sprintf("%.17g", c80$nFixed), ", ",
    "\"shift80\": ", sprintf("%.17g", c80$shift), ",\n      ",
    "\"cumulativePower80\": ", num(c80$power), ",\n      ",
    "\"rejectionProbabilitiesH1_80\": ", num(c80$rejectionProbabilities), ",\n      ",
    "\"averageSampleNumber1_80\": ", sprintf("%.17g", c80$averageSampleNumber1), ", ",
    "\"averageSampleNumber0_80\": ", sprintf("%.17g", c80$averageSampleNumber0), ", ",
    "\"averageSampleNumber01_80\": ", sprintf("%.17g", c80$averageSampleNumber01),
    "}")
}

for (K in 2:5) {
  t <- (1:K) / K
  add_design("asOF", t); add_design("asP", t); add_design("asKD", t, gammaA = 2)
  add_design("OF", t); add_design("P", t)
}
for (t in list(c(0.3, 0.7, 1), c(0.2, 0.5, 0.6, 1), c(0.1, 0.25, 0.45, 0.7, 1))) {
  add_design("asOF", t); add_design("asP", t); add_design("asKD", t, gammaA = 2)
}
# Lan-DeMets with the original two-sided OBF function 2 - 2 Phi(z_{alpha/2}/sqrt(t)), via asUser.
ofTwoSided <- function(t, a = 0.05) 2 - 2 * pnorm(qnorm(1 - a / 2) / sqrt(t))
ofAsOF <- function(t, a = 0.05) 4 * (1 - pnorm(qnorm(1 - a / 4) / sqrt(t)))
t5 <- (1:5) / 5
add_design("asUser", t5, userAlphaSpending = c(ofTwoSided(t5[1:4]), 0.05), spendingLabel = "obfTwoSidedOriginal")
# Observed information differs from plan (issue 6): planned K = 5 equally spaced, asOF.
# Under-running to 50%: looks at t = 0.1..0.5 of plan; the last look spends all that is left.
tu <- c(0.1, 0.2, 0.3, 0.4, 0.5)
add_design("asUser", tu / 0.5, userAlphaSpending = c(ofAsOF(tu[1:4]), 0.05), spendingLabel = "asOF-underrun-0.5")
# Over-running to 150%: looks at t = 0.3, 0.6, 0.9, 1.2; truncated at the first look past the plan,
# which spends all that is left.
to <- c(0.3, 0.6, 0.9, 1.2)
add_design("asUser", to / 1.2, userAlphaSpending = c(ofAsOF(to[1:3]), 0.05), spendingLabel = "asOF-overrun-1.5")

naive <- list()
add_naive <- function(fractions) {
  K <- length(fractions)
  c0 <- qnorm(0.975)
  p <- getGroupSequentialProbabilities(matrix(c(rep(-c0, K), rep(c0, K)), nrow = 2, byrow = TRUE), fractions)
  # columns are looks; rows: P(not stopped before k and Z_k < lower_k), P(not stopped before k and
  # Z_k < upper_k), P(not stopped before k). So P(never rejected) = p[2,K] - p[1,K].
  reject <- 1 - (p[2, K] - p[1, K])
  call <- sprintf("p <- getGroupSequentialProbabilities(matrix(c(rep(-qnorm(0.975),%d), rep(qnorm(0.975),%d)), nrow=2, byrow=TRUE), %s); 1 - (p[2,K] - p[1,K])", K, K, fmtvec(fractions))
  naive[[length(naive) + 1]] <<- paste0("    {\"informationRates\": ", num(fractions), ", \"call\": ", str(call),
    ", \"rejectionProbability\": ", sprintf("%.17g", reject), "}")
}
for (K in c(1, 2, 3, 4, 5, 10, 20)) add_naive((1:K) / K)
add_naive(c(0.1, 0.3, 0.6, 1)); add_naive(c(0.5, 0.55, 0.9, 1))

out <- file.path("Tests", "AnalysisTests", "Fixtures", "sequential.json")
writeLines(c("{",
  paste0("  \"generator\": \"scripts/reference/sequential.R\","),
  paste0("  \"software\": ", str(sprintf("%s; rpact %s", R.version.string, as.character(packageVersion("rpact")))), ","),
  "  \"notes\": \"Two-sided alpha = 0.05 designs. criticalValues are on the Z scale; stageLevelsOneSided = 1 - Phi(c). Naive values: probability that |Z_k| > qnorm(0.975) at some look under H0. Exact AMR values for K = 50, 100, 1000 are in ORACLES.md section 1 (not rpact, kMax <= 20). rpact stops its boundary search at an absolute tolerance on the probability, so at looks that spend less than 1e-4 its critical values are uncertain by up to ~1.5e-4 (see GroupSequentialTests).\",",
  "  \"designs\": [", paste(designs, collapse = ",\n"), "  ],",
  "  \"naive\": [", paste(naive, collapse = ",\n"), "  ]",
  "}"), out)
cat("wrote", out, "\n")
