#!/usr/bin/env bash
# Checks that every command in the docs works as written, so the docs cannot rot.
#
#   bash .ci/docs-commands.sh                                  # everything (what .ci/run does)
#   DOCS_COMMANDS_SKIP=bench,long,train bash .ci/docs-commands.sh   # local iteration: leave out heavy commands
#
# 1. Extracts the shell commands of README.md, samples/README.md and docs/*.md: every line of ```bash/sh/shell
#    blocks (`\` continuations and multi-line quoted arguments joined, comments dropped), `$ ` lines and lines
#    starting with a command (dotnet, quality, curl, source, export, bash, psql, python3) in other unlabelled
#    blocks, and inline `code` spans that start with a command.
# 2. Each command must be one of:
#    - EXECUTED here, in a scratch copy of the working tree (the checkout is never written to), with its exit
#      code and a meaningful piece of its output or the files it writes checked (the expectations are in
#      `expect` below);
#    - mapped in .ci/docs-commands.tsv to the NUnit test that runs the same thing (`test`, the test method must
#      exist in tests/), to .ci/run's solution test run (`ci`, the project must be in QualityPrediction.sln), or,
#      for an inline span only, marked as a mention of a command rather than an invocation (`mention`);
#    - an inline span identical to a command executed from a block (`same`: reported, not run twice).
#    Anything else fails, so a new doc command cannot go unchecked.
# 3. Mechanical substitutions, and nothing else:
#    - `dotnet tool install --global` -> `--tool-path SCRATCH/tools` (a fresh folder each time, and the NuGet
#      cache's copy of qualityprediction.cli removed first; that folder is on PATH, so `quality` is the tool the
#      docs' own pack + install command built from this tree);
#    - `/var/lib/myapp/` -> SCRATCH/myapp/;
#    - `export QUALITY_PG='Host=db;…'` and `psql "host=db …"` -> a database `quality_docs` (dropped and created at
#      the start) on the PostgreSQL server of .ci/postgres.sh (sourced when QUALITY_PG is not set);
#    - `curl` also prints the HTTP status (`-w`), and `<predictionId from above>` is the predictionId of the
#      /quality/rank answer;
#    - the web sample (`dotnet run --project samples/QualityPrediction.WebApi`) runs in the background, with
#      `Feedback__Folder=SCRATCH/myapp/feedback` (the folder the operations page collects from), and is
#      stopped at the end of samples/README.md.
#    Commands the docs give as alternatives ("From the embedded store:") run on their own copy of the output, so
#    the next command sees what the first alternative made. Fixtures the docs rely on but that only a running host makes (predictions and outcomes in the PostgreSQL
#    feedback store) are written by `fixture_pg_feedback` below, from the console sample's bundled outcomes.
#
# Environment: DOCS_COMMANDS_SKIP (comma list of tags to leave out: bench = docs/benchmarks.md runs, long = the long
# reliability run and the Release build, train = the 5-fold x 3 wine trainings), DOCS_COMMANDS_ONLY (run only the
# commands with these tags, e.g. bench; none = the untagged ones), DOCS_COMMANDS_SCRATCH (the scratch
# folder; reused when it exists, which keeps its builds), DOCS_COMMANDS_KEEP=1 (keep the scratch folder).
# Output: one line per command, then `docs commands: N run, N by tests, N failed[, N skipped]`; exit 1 on a failure.

set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo" || exit 1
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# In this order (later pages use what earlier ones make: the installed tool, the web sample's feedback), then any
# other docs/*.md.
docs=(README.md samples/README.md docs/training.md docs/operations.md docs/ranking.md docs/reliability.md docs/benchmarks.md)
for d in docs/*.md; do [[ " ${docs[*]} " == *" $d "* ]] || docs+=("$d"); done
table="$repo/.ci/docs-commands.tsv"
skip=",${DOCS_COMMANDS_SKIP:-},"; only=",${DOCS_COMMANDS_ONLY:-},"

# ---------------------------------------------------------------------------------------------------------------
# Extraction: prints FILE<TAB>LINE<TAB>block|inline<TAB>COMMAND, a newline inside a command written as \x1e.
# ---------------------------------------------------------------------------------------------------------------
extract() {
  awk -v file="$1" '
    function quote_state(s,   i, c, q) {   # the quote still open at the end of s ("", "\047" or "\"")
      q = ""
      for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (q == "") { if (c == "\\") { i++ } else if (c == "\047" || c == "\"") q = c }
        else if (q == "\047") { if (c == "\047") q = "" }
        else { if (c == "\\") i++; else if (c == "\"") q = "" }
      }
      return q
    }
    function strip_comment(s, q,   i, c, prev) {   # drops a # comment that starts a word outside quotes
      prev = " "
      for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (q == "") {
          if (c == "\\") { i++; prev = "x"; continue }
          if (c == "\047" || c == "\"") q = c
          else if (c == "#" && prev ~ /[ \t]/) return substr(s, 1, i - 1)
        } else if (q == "\047") { if (c == "\047") q = "" }
        else { if (c == "\\") i++; else if (c == "\"") q = "" }
        prev = c
      }
      return s
    }
    function emit(line, kind, cmd) {
      sub(/[ \t]+$/, "", cmd); sub(/^[ \t]+/, "", cmd)
      if (cmd != "") printf "%s\t%d\t%s\t%s\n", file, line, kind, cmd
    }
    BEGIN { fence = 0; pending = ""; open = "" }
    /^[ \t]*```/ {
      if (!fence) { fence = 1; lang = $0; sub(/^[ \t]*```/, "", lang); sub(/[ \t].*$/, "", lang) }
      else { if (pending != "") emit(start, "block", pending); pending = ""; open = ""; fence = 0 }
      next
    }
    fence {
      text = $0
      if (pending != "" && open != "") {          # inside a quoted argument that spans lines
        pending = pending "\036" text; open = quote_state(pending)
        if (open == "" && pending !~ /\\$/) { emit(start, "block", strip_comment(pending, "")); pending = "" }
        next
      }
      if (pending == "") {
        sub(/^[ \t]+/, "", text)
        if (lang == "bash" || lang == "sh" || lang == "shell") {
          if (text ~ /^#/ || text == "") next
        } else if (lang == "" || lang == "console" || lang == "text") {
          if (text ~ /^\$ /) sub(/^\$ /, "", text)
          else if (text !~ /^(dotnet|quality|curl|source|export|bash|psql|python3) /) next
        } else next
        start = NR
      } else sub(/^[ \t]+/, " ", text)
      line = strip_comment((pending == "" ? "" : pending) text, "")
      open = quote_state(line)
      if (open == "" && line ~ /\\[ \t]*$/) { sub(/[ \t]*\\[ \t]*$/, "", line); pending = line; next }
      if (open != "") { pending = line; next }
      emit(start, "block", line); pending = ""
      next
    }
    {
      s = $0
      while (match(s, /`(dotnet|quality|curl|source|export|bash|psql|python3) [^`]*`/)) {
        emit(NR, "inline", substr(s, RSTART + 1, RLENGTH - 2))
        s = substr(s, RSTART + RLENGTH)
      }
    }
  ' "$1"
}

# ---------------------------------------------------------------------------------------------------------------
# The scratch copy, the tool folder, the docs' database.
# ---------------------------------------------------------------------------------------------------------------
scratch="${DOCS_COMMANDS_SCRATCH:-$(mktemp -d /tmp/docs-commands.XXXXXX)}"
mkdir -p "$scratch"
work="$scratch/repo"; tools="$scratch/tools"; logs="$scratch/logs"; myapp="$scratch/myapp"
mkdir -p "$work" "$logs"
# Reuse keeps bin/ and obj/ (incremental builds) and removes everything else, then copies the working tree
# (tracked and untracked files, without what .gitignore ignores).
find "$work" -mindepth 1 \( -name bin -o -name obj \) -prune -o \( -type f -o -type l \) -print0 | xargs -0 -r rm -f
find "$work" -mindepth 1 -type d -empty -not -path '*/bin/*' -not -path '*/obj/*' -delete
rm -rf "$logs"/* "$myapp" "$tools" "$scratch/aside"
git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C "$work" || { echo "docs: cannot copy the working tree to $work" >&2; exit 1; }

if [ -z "${QUALITY_PG:-}" ] && [ -f .ci/postgres.sh ]; then
  # shellcheck source=/dev/null
  source .ci/postgres.sh >/dev/null || echo "docs: PostgreSQL setup failed" >&2
fi
pg_get() { echo "${QUALITY_PG:-}" | tr ';' '\n' | sed -n "s/^$1=//p" | head -n 1; }
docs_pg=""; docs_psql=""
if [ -n "${QUALITY_PG:-}" ]; then
  export PGPASSWORD; PGPASSWORD="$(pg_get Password)"
  pg_base="host=$(pg_get Host) port=$(pg_get Port) user=$(pg_get Username)"
  psql "$pg_base dbname=$(pg_get Database)" -qtA -v ON_ERROR_STOP=1 \
    -c "DROP DATABASE IF EXISTS quality_docs WITH (FORCE)" -c "CREATE DATABASE quality_docs" >/dev/null \
    && docs_pg="Host=$(pg_get Host);Port=$(pg_get Port);Username=$(pg_get Username);Password=${PGPASSWORD};Database=quality_docs" \
    && docs_psql="$pg_base dbname=quality_docs"
fi

# ---------------------------------------------------------------------------------------------------------------
# Running one command.
# ---------------------------------------------------------------------------------------------------------------
last_prediction_id=""
substitute() {   # the mechanical substitutions (see the header)
  local c="$1"
  c="${c//dotnet tool install --global/dotnet tool install --tool-path \"$tools\"}"
  c="${c//\/var\/lib\/myapp\//$myapp/}"
  c="${c//<predictionId from above>/$last_prediction_id}"
  if [[ "$c" =~ ^export\ QUALITY_PG= ]]; then c="export QUALITY_PG='$docs_pg'"; fi
  c="$(printf '%s' "$c" | sed -E "s/psql \"host=db port=5432 user=app dbname=app\"/psql \"${docs_psql//\//\\/}\"/")"
  printf '%s' "$c"
}

run_cmd() {   # run_cmd LOG TIMEOUT COMMAND: runs it in the scratch copy; sets rc
  local log="$1" limit="$2" cmd="$3"
  (
    cd "$work" || exit 99
    export PATH="$tools:$PATH" QUALITY_PG="$docs_pg"
    timeout --kill-after=30 "$limit" bash -c "
      set -o pipefail
      curl() { command curl -w '\nHTTP %{http_code}\n' \"\$@\"; }
      $cmd
      " >"$log" 2>&1 </dev/null
  )
  rc=$?
}

# Web sample: started by its own command in the background, stopped at the end of samples/README.md.
webapi_pid=""
start_webapi() {   # start_webapi COMMAND LOG
  if curl -s -o /dev/null -m 2 http://127.0.0.1:5080/health; then echo "something already answers on 127.0.0.1:5080" >"$2"; return 1; fi
  mkdir -p "$myapp/feedback"
  ( cd "$work" && Feedback__Folder="$myapp/feedback" exec setsid bash -c "$1" >"$2" 2>&1 </dev/null ) &
  webapi_pid=$!
  local i
  for i in $(seq 1 180); do
    if curl -s -o /dev/null -m 2 http://127.0.0.1:5080/health; then return 0; fi
    kill -0 "$webapi_pid" 2>/dev/null || return 1
    sleep 1
  done
  return 1
}
stop_webapi() {
  [ -n "$webapi_pid" ] || return 0
  kill -TERM -- "-$webapi_pid" 2>/dev/null
  local i; for i in $(seq 1 30); do kill -0 "$webapi_pid" 2>/dev/null || break; sleep 1; done
  kill -KILL -- "-$webapi_pid" 2>/dev/null
  wait "$webapi_pid" 2>/dev/null
  webapi_pid=""
}
trap 'stop_webapi' EXIT

# Predictions and outcomes as a host with AddPostgreSqlFeedbackStore writes them (operations.md sections 1-2):
# 120 of the console sample's bundled outcomes, each a prediction with its context and an outcome.
fixture_pg_feedback() {
  [ -n "$docs_psql" ] || { echo "no PostgreSQL" ; return 1; }
  psql "$docs_psql" -qtA -v ON_ERROR_STOP=1 <<SQL
CREATE TEMP TABLE lines (doc jsonb);
\copy lines (doc) from '$work/samples/QualityPrediction.Sample/data/outcomes.jsonl'
CREATE TEMP TABLE rows AS
  SELECT gen_random_uuid() AS id, doc FROM (SELECT doc FROM lines LIMIT 120) AS l;
INSERT INTO quality_predictions (prediction_id, predictor, context, score, confidence, source, created_at, selection_probability)
  SELECT id, '', doc - 'quality', 70, 0.5, 'Heuristic', now(), 1 FROM rows;
INSERT INTO quality_outcomes (prediction_id, observed, observed_at)
  SELECT id, (doc->>'quality')::double precision, now() FROM rows;
SQL
}

# ---------------------------------------------------------------------------------------------------------------
# What each executed command must do. Sets: x_rc (exit code), x_out (extended regexes, one per line, that the
# output must match), x_files (paths that must exist), x_tag (skip tag), x_limit (timeout), x_pre/x_post (hooks).
# Returns 1 when the command has no expectation.
# ---------------------------------------------------------------------------------------------------------------
expect() {
  local f="$1" c="$2"
  x_rc=0; x_out=""; x_files=""; x_tag=""; x_limit=1200; x_pre=""; x_post=""; x_server=0
  case "$f|$c" in
    *"|dotnet run --project samples/QualityPrediction.Sample")
      x_out=$'^ *thompson\\(1\\) +chose\n^ *greedy +chose' ;;
    *"|dotnet run --project src/QualityPrediction.Cli -- train --data data/winequality-white.csv --target quality --out models/white --name white --folds 5 --repeats 3 "*)
      x_tag=train; x_out='0\.4288'; x_files="models/white/white.model.json models/white/white.onnx models/white/white.zip reports/white/report.md" ;;
    *"|dotnet pack src/QualityPrediction.Cli -o nupkg && dotnet tool install --global --add-source nupkg QualityPrediction.Cli")
      x_pre=pre_install; x_out='successfully installed'; x_files="$tools/quality" ;;
    *"|quality train --data data/winequality-white.csv --target quality --out models/white --name white")
      x_files="models/white/white.model.json"; x_out='MAE' ;;
    *"|dotnet run --project src/QualityPrediction.Cli -- train --data data/winequality-red.csv --target quality --out models/red --name red"|\
    *"|quality train --data data/winequality-red.csv --target quality --out models/red --name red")
      x_files="models/red/red.model.json"; x_out='MAE' ;;
    *"|dotnet build -c Release src/QualityPrediction.Cli")
      x_tag=long; x_files="src/QualityPrediction.Cli/bin/Release/net10.0/quality.dll" ;;
    "docs/training.md|dotnet run --project src/QualityPrediction.Cli -- train --data data/winequality-red.csv --target quality --out models/red --name red --folds 5 --repeats 3 "*)
      x_tag=train; x_out='0\.3967'; x_files="models/red/red.model.json reports/red/report.md" ;;
    "docs/training.md|dotnet run --project src/QualityPrediction.Cli -- train --data data/seed-quality.json "*)
      x_out=$'share one identical feature vector\n2\\.9510'; x_files="models/seed/seed.model.json" ;;
    "docs/training.md|python3 -c "*white-train.csv*)
      x_files="white-train.csv white-test.csv"; x_post=post_split ;;
    "docs/training.md|quality train --data white-train.csv "*)
      x_files="models/wsplit/wsplit.model.json"; x_out='0\.4407' ;;
    "docs/training.md|quality evaluate --model models/wsplit/wsplit.model.json "*)
      x_out=$'Model wsplit 0001 on 980 rows\nMAE 0\\.4261'; x_files="reports/wsplit/report.md" ;;
    "docs/training.md|quality train --data data/winequality-red.csv --target quality --out models/red-sdca "*)
      x_out=$'version 0002\n0\\.5085' ;;
    "docs/training.md|quality registry list --registry registry")
      x_out=$'^red\n0001 +LightGbm +CV MAE 0\\.3967.*champion\n0002 +Sdca +CV MAE 0\\.5085.*challenger' ;;
    "docs/training.md|quality promote red 0002 --registry registry; echo \$?")
      x_out=$'0\\.5085 vs 0\\.3986\nnot promoted\n^4$' ;;
    "docs/training.md|quality train --data data/winequality-white.csv --target quality --out models/white7 "*)
      x_tag=train; x_out='0\.4263'; x_files="models/white7/white.model.json" ;;
    "docs/training.md|quality train --data data/winequality-red.csv --target quality --out models/red7 "*)
      x_tag=train; x_out='0\.3915'; x_files="models/red7/red.model.json" ;;
    "docs/training.md|python3 "*inter-train.jsonl*)
      x_files="inter-train.jsonl inter-test.jsonl" ;;
    "docs/training.md|quality train --data inter-train.jsonl "*)
      x_tag=train; x_out=$'sdca-l2-0\\.01-1000i\\+crosses\n3\\.2524'; x_files="models/inter/quality.model.json" ;;
    "docs/training.md|quality evaluate --model models/inter/quality.model.json "*)
      x_tag=train; x_out='MAE 3\.1895' ;;
    "docs/training.md|python3 "*logged.jsonl*)
      x_files="logged.jsonl" ;;
    "docs/training.md|quality train --data logged.jsonl "*"--propensity selectionProbability")
      x_out=$'"mae": 5\\.29\n"mae": 7\\.15'; x_files="ipw/quality.model.json" ;;
    "docs/training.md|quality train --data logged.jsonl "*)
      x_out=$'"mae": 4\\.92\n"mae": 6\\.06'; x_files="plain/quality.model.json" ;;
    "docs/operations.md|export QUALITY_PG="*)
      x_post=post_export ;;
    "docs/operations.md|quality migrate --connection-string-env QUALITY_PG")
      x_post=fixture_pg_feedback ;;
    "docs/operations.md|quality collect --output data/feedback.jsonl --connection-string-env QUALITY_PG")
      x_out='appended 120 rows'; x_files="data/feedback.jsonl data/feedback.jsonl.watermark.json" ;;
    "docs/operations.md|quality collect --output data/feedback.jsonl --feedback-folder /var/lib/myapp/feedback")
      # An alternative to the line above (another source): run on its own dataset, then the PostgreSQL one is put back.
      x_pre=pre_alt_dataset; x_post=post_alt_dataset; x_out='appended 1 rows? ' ;;
    "docs/operations.md|psql \"host=db port=5432 user=app dbname=app\" "*)
      x_out='INSERT 0 200' ;;
    "docs/operations.md|quality collect --output data/legacy.jsonl --table public.generations "*)
      x_out='appended 200 rows'; x_files="data/legacy.jsonl" ;;
    "docs/operations.md|cp samples/QualityPrediction.Sample/data/outcomes.jsonl data/seed.jsonl")
      x_files="data/seed.jsonl" ;;
    "docs/operations.md|quality iterate "*"--dry-run")
      x_out='dry run'; x_post=post_dry_run ;;
    "docs/operations.md|quality iterate "*)
      x_out='champion'; x_files="registry/quality/aliases.json" ;;
    "docs/operations.md|quality status --registry registry "*)
      x_out=$'quality\nreachable' ;;
    "docs/operations.md|quality status --feedback-folder "*)
      x_out='"store"' ;;
    "docs/ranking.md|dotnet test tests/QualityPrediction.Tests --filter Ranking "*)
      x_out=$'Cumulative regret by turn\nthompson\\(1\\)' ;;
    *"|source .ci/postgres.sh")
      x_out="export QUALITY_PG=" ;;
    "docs/reliability.md|QUALITY_RELIABILITY_LONG=1 dotnet test tests/QualityPrediction.Reliability.Tests "*)
      x_tag=long; x_limit=2400; x_out=$'\\[reliability\\]\nTest Run Successful' ;;
    "docs/benchmarks.md|dotnet run -c Release --project benchmarks/QualityPrediction.Benchmarks -- --all")
      x_tag=bench; x_limit=2400; x_files="benchmarks/QualityPrediction.Benchmarks/BenchmarkDotNet.Artifacts/budgets-all.md"
      x_out=$'^\\| budget \\| what \\| measured \\| ratio \\| limit \\| result \\|\nWritten to .*budgets-all\\.md' ;;
    "docs/benchmarks.md|dotnet publish benchmarks/QualityPrediction.Benchmarks -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o benchmarks/QualityPrediction.Benchmarks/bin/r2r")
      x_tag=bench; x_limit=1200; x_files="benchmarks/QualityPrediction.Benchmarks/bin/r2r/QualityPrediction.Benchmarks" ;;
    "docs/benchmarks.md|benchmarks/QualityPrediction.Benchmarks/bin/r2r/QualityPrediction.Benchmarks --only cold")
      x_tag=bench; x_limit=900; x_out=$'cold start onnx \\(ReadyToRun\\), new process to first score
cold start mlnet \\(ReadyToRun\\)' ;;
    "docs/benchmarks.md|dotnet run -c Release --project benchmarks/QualityPrediction.Benchmarks -- --loop raw-onnx/ours-onnx/ens-onnx-nobreaker/ens-onnx/composed-onnx 20")
      x_tag=bench; x_limit=900; x_out=$'^ALTERNATE raw-onnx: .* ratio 1\\.000$
^ALTERNATE composed-onnx: .*ns per call, ratio [0-9.]+$' ;;
    "docs/benchmarks.md|dotnet run -c Release --project benchmarks/QualityPrediction.Benchmarks -- --loop raw-mlnet/ours-mlnet/ens-mlnet-nobreaker/ens-mlnet/composed-mlnet 20")
      x_tag=bench; x_limit=900; x_out=$'^ALTERNATE raw-mlnet: .* ratio 1\\.000$
^ALTERNATE composed-mlnet: .*ns per call, ratio [0-9.]+$' ;;
    "docs/benchmarks.md|dotnet run -c Release --project benchmarks/QualityPrediction.Benchmarks -- --loop empty/encode/clock/cts-register/polly-timeout/polly-breaker/polly 10")
      x_tag=bench; x_limit=900; x_out=$'^ALTERNATE encode: 
^ALTERNATE polly-breaker: ' ;;
    "docs/benchmarks.md|dotnet run -c Release --project benchmarks/QualityPrediction.Benchmarks -- --short")
      x_tag=bench; x_limit=1800; x_files="benchmarks/QualityPrediction.Benchmarks/BenchmarkDotNet.Artifacts/budgets-short.md"
      x_out=$'^\\| budget \\| what \\| measured \\| ratio \\| limit \\| result \\|\nWritten to .*budgets-short\\.md' ;;
    "docs/benchmarks.md|dotnet run -c Release --project benchmarks/QualityPrediction.Benchmarks -- --only trees")
      x_tag=bench; x_limit=2400; x_files="benchmarks/QualityPrediction.Benchmarks/BenchmarkDotNet.Artifacts/budgets-trees.md"
      x_out=$'^\\| budget \\| what \\| measured \\| ratio \\| limit \\| result \\|\n^\\| T1 \\| 100 trees: trees Score vs raw ORT IoBinding\nWritten to .*budgets-trees\\.md' ;;
    "docs/benchmarks.md|dotnet run -c Release --project benchmarks/QualityPrediction.Benchmarks -- --loop raw-onnx/raw-mlnet/trees-score/ours-trees/composed-trees 20")
      x_tag=bench; x_limit=900; x_out=$'^ALTERNATE raw-onnx: .* ratio 1\\.000$\n^ALTERNATE trees-score: .*ns per call, ratio [0-9.]+$\n^ALTERNATE composed-trees: .*ns per call, ratio [0-9.]+$' ;;
    "samples/README.md|dotnet run --project samples/QualityPrediction.WebApi")
      x_server=1 ;;
    "samples/README.md|curl -s -X POST http://127.0.0.1:5080/quality/predict "*)
      x_out=$'^HTTP 200$\n"score"' ;;
    "samples/README.md|curl -s -X POST http://127.0.0.1:5080/quality/rank "*)
      x_out=$'^HTTP 200$\n"predictionId"\n"selectionProbability"'; x_post=post_rank ;;
    "samples/README.md|curl -s -X POST http://127.0.0.1:5080/quality/outcomes "*)
      x_out='^HTTP 202$' ;;
    "samples/README.md|curl -s http://127.0.0.1:5080/health")
      x_out=$'^HTTP 200$\n"status"' ;;
    "samples/README.md|curl -s http://127.0.0.1:5080/metrics")
      x_out=$'^HTTP 200$\nquality_prediction' ;;
    *) return 1 ;;
  esac
  return 0
}

# Hooks (run in this shell; $1 = the command's log). A hook's non-zero status fails the command.
pre_install() {   # a fresh tool folder, and no stale copy of this version in the NuGet cache
  rm -rf "$tools" "${NUGET_PACKAGES:-$HOME/.nuget/packages}"/qualityprediction.cli*
}
post_split() {
  local a b; a=$(wc -l <"$work/white-train.csv"); b=$(wc -l <"$work/white-test.csv")
  [ "$a" -eq 3919 ] && [ "$b" -eq 981 ] || { echo "split: $a / $b lines, expected 3919 / 981"; return 1; }
}
post_export() { [ -n "$docs_pg" ] || { echo "no PostgreSQL for QUALITY_PG"; return 1; }; }
pre_alt_dataset() {
  mkdir -p "$scratch/aside"; mv "$work/data/feedback.jsonl" "$work/data/feedback.jsonl.watermark.json" "$scratch/aside/"
}
post_alt_dataset() {
  [ -s "$work/data/feedback.jsonl" ] || { echo "no rows collected from the embedded store"; return 1; }
  mv -f "$scratch/aside/feedback.jsonl" "$scratch/aside/feedback.jsonl.watermark.json" "$work/data/"
}
post_dry_run() { [ ! -e "$work/registry/quality" ] || { echo "dry run created registry/quality"; return 1; }; }
post_rank() {
  # the answer's own predictionId (the chosen candidate's) comes before the candidates' ones
  last_prediction_id="$(grep -o '"predictionId":"[^"]*"' "$1" | head -n 1 | cut -d'"' -f4)"
  [ -n "$last_prediction_id" ] || { echo "no predictionId in the answer"; return 1; }
}

# ---------------------------------------------------------------------------------------------------------------
# The table: FILE<TAB>COMMAND<TAB>test|ci|mention<TAB>TARGET (a test's full name, a project, a reason).
# ---------------------------------------------------------------------------------------------------------------
lookup() {   # lookup FILE COMMAND -> "kind<TAB>target", or nothing
  awk -F '\t' -v f="$1" -v c="$2" '$0 !~ /^#/ && $1 == f && $2 == c { print $3 "\t" $4; exit }' "$table"
}
verify_test() {   # a fully qualified NUnit test name exists in tests/ (namespace, class and method)
  local name="$1" method cls ns files
  method="${name##*.}"; cls="${name%.*}"; ns="${cls%.*}"; cls="${cls##*.}"
  files=$(grep -rlE "^namespace ${ns//./\\.}( *;|$)" tests --include='*.cs' | xargs -r grep -lE "class ${cls}\b")
  [ -n "$files" ] && echo "$files" | xargs grep -qE "\b${method}\s*\("
}
verify_ci() {   # .ci/run runs the solution's tests, and the project is in the solution
  grep -q 'dotnet test QualityPrediction.sln' .ci/run || return 1
  [ "$1" = QualityPrediction.sln ] || grep -qF "$(basename "$1").csproj" QualityPrediction.sln
}

# ---------------------------------------------------------------------------------------------------------------
# Main loop.
# ---------------------------------------------------------------------------------------------------------------
main() {   # (a function, so that bash has read all of it before it runs: the file may change meanwhile)
n_run=0; n_test=0; n_failed=0; n_skipped=0; n=0
declare -A executed outcome   # command text -> FILE:LINE of the command that ran it, and its result (ok, FAIL, skip)
report() { printf '%-5s%s\n' "$1" "$2"; }
fail() { report FAIL "$1"; n_failed=$((n_failed + 1)); }
started=$(date +%s)

for doc in "${docs[@]}"; do
  [ -f "$doc" ] || continue
  while IFS=$'\t' read -r file line kind cmd; do
    n=$((n + 1)); where="$file:$line"; shown="${cmd//$'\036'/ }"; text="${cmd//$'\036'/$'\n'}"
    mapped="$(lookup "$file" "$text")"
    if [ -n "$mapped" ]; then
      mkind="${mapped%%$'\t'*}"; target="${mapped#*$'\t'}"
      case "$mkind" in
        test) if verify_test "$target"; then report test "$where -> $target"; n_test=$((n_test + 1));
              else fail "$where $shown: mapped to $target, which is not a test in tests/"; fi ;;
        ci)   if verify_ci "$target"; then report test "$where -> .ci/run (dotnet test QualityPrediction.sln runs $target)"; n_test=$((n_test + 1));
              else fail "$where $shown: mapped to .ci/run's test run, but $target is not in QualityPrediction.sln"; fi ;;
        mention) if [ "$kind" = inline ]; then report ref "$where $shown ($target)";
                 else fail "$where $shown: a block command cannot be a mention"; fi ;;
        *) fail "$where $shown: unknown kind '$mkind' in .ci/docs-commands.tsv" ;;
      esac
      continue
    fi
    if [ "$kind" = inline ]; then
      same=1; IFS=';' read -ra parts <<<"$text"; as=""; state=ok
      for p in "${parts[@]}"; do
        p="${p#"${p%%[! ]*}"}"; p="${p%"${p##*[! ]}"}"
        if [ -z "${executed[$p]:-}" ]; then same=0; break; fi
        as="${as:+$as and }${executed[$p]}"
        case "${outcome[$p]}" in FAIL) state=FAIL ;; skip) [ "$state" = FAIL ] || state=skip ;; esac
      done
      if [ "$same" -eq 1 ]; then
        case "$state" in
          ok) report ok "$where $shown (the same command as $as)"; n_run=$((n_run + 1)) ;;
          skip) report skip "$where $shown (the same command as $as, skipped)"; n_skipped=$((n_skipped + 1)) ;;
          *) fail "$where $shown: the same command as $as, which failed" ;;
        esac
        continue
      fi
      if ! expect "$file" "$text"; then
        fail "$where $shown: inline command neither run here, identical to a command run above, nor in .ci/docs-commands.tsv"; continue
      fi
    fi
    if ! expect "$file" "$text"; then
      fail "$where $shown: not checked (add an expectation to .ci/docs-commands.sh or map it in .ci/docs-commands.tsv)"
      continue
    fi
    if { [ -n "$x_tag" ] && [[ "$skip" == *",$x_tag,"* ]]; } || { [ "$only" != ",," ] && [[ "$only" != *",${x_tag:-none},"* ]]; }; then
      report skip "$where $shown (DOCS_COMMANDS_SKIP/ONLY: tag ${x_tag:-none})"; n_skipped=$((n_skipped + 1)); executed[$text]="$where"; outcome[$text]=skip; continue
    fi
    log="$logs/$(printf '%03d' "$n").log"; t0=$(date +%s)
    if [ "$x_server" -eq 1 ]; then
      if start_webapi "$(substitute "$text")" "$log"; then report ok "$where $shown (answers /health; in the background)"; n_run=$((n_run + 1)); executed[$text]="$where"; outcome[$text]=ok
      else executed[$text]="$where"; outcome[$text]=FAIL; fail "$where $shown: the web sample did not answer on 127.0.0.1:5080"; sed 's/^/      /' "$log" | tail -n 15; fi
      continue
    fi
    problem=""
    if [ -n "$x_pre" ]; then "$x_pre" "$log" >"$log.hook" 2>&1 || problem="setup: $(tail -n 1 "$log.hook")"; fi
    if [ -z "$problem" ]; then
      run_cmd "$log" "$x_limit" "$(substitute "$text")"
      if [ "$rc" -ne "$x_rc" ]; then problem="exit code $rc, expected $x_rc"; fi
    fi
    if [ -z "$problem" ] && [ -n "$x_out" ]; then
      while IFS= read -r re; do
        grep -qE -- "$re" "$log" || { problem="output has no match for /$re/"; break; }
      done <<<"$x_out"
    fi
    if [ -z "$problem" ]; then
      for p in $x_files; do
        case "$p" in /*) ;; *) p="$work/$p" ;; esac
        [ -e "$p" ] || { problem="did not write ${p#"$work/"}"; break; }
      done
    fi
    if [ -z "$problem" ] && [ -n "$x_post" ]; then
      "$x_post" "$log" >"$log.hook" 2>&1 || problem="$(tail -n 1 "$log.hook")"
    fi
    secs=$(( $(date +%s) - t0 ))
    executed[$text]="$where"; outcome[$text]="${problem:+FAIL}"; outcome[$text]="${outcome[$text]:-ok}"
    if [ -z "$problem" ]; then report ok "$where $shown [${secs}s]"; n_run=$((n_run + 1))
    else fail "$where $shown [${secs}s]: $problem"; sed 's/^/      /' "$log" | tail -n 15; fi
  done < <(extract "$doc")
  [ "$doc" = samples/README.md ] && stop_webapi
done
stop_webapi

echo "docs commands took $(( $(date +%s) - started )) s (scratch: $scratch)"
summary="docs commands: ${n_run} run, ${n_test} by tests, ${n_failed} failed"
[ "$n_skipped" -gt 0 ] && summary="${summary}, ${n_skipped} skipped"
[ "${DOCS_COMMANDS_KEEP:-0}" = 1 ] || [ -n "${DOCS_COMMANDS_SCRATCH:-}" ] || rm -rf "$scratch"
echo "$summary"
[ "$n_failed" -eq 0 ]
}; main; exit $?   # one line: bash has read the exit too before main runs
