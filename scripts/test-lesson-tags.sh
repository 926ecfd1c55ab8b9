#!/usr/bin/env bash
# Tests scripts/lesson-tags.sh on throwaway git repos (a few commits, a manifest, the script committed as in ours):
# tags created annotated with their description, a re-run changes nothing, --check creates nothing, a missing or
# wrong commit (and a shallow clone) fails with one clear line and creates nothing, --force moves a tag, malformed
# manifest lines are refused, and manifest text never reaches a shell. Run by integration-tests' LessonTagsIT under
# 'mvn -B verify'; takes a few seconds. Prints one 'ok'/'not ok' line per check; exit code 1 if any failed.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
script=$here/lesson-tags.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Nothing of the user's git setup (identity, signing, hooks) and nothing of an enclosing repo may leak in.
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config GIT_CONFIG_NOSYSTEM=1
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_CEILING_DIRECTORIES
unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
mkdir -p "$HOME"
# no identity guessed from the host: annotated tags need one, so the script's own fallback is what gets tested
git config --global user.useConfigOnly true
git config --global init.defaultBranch main
git config --global protocol.file.allow always

failed=0
checks=0
pass() { checks=$((checks + 1)); printf 'ok - %s\n' "$1"; }
flunk() {
  checks=$((checks + 1))
  failed=$((failed + 1))
  printf 'not ok - %s\n' "$1"
  shift
  local detail
  for detail in "$@"; do printf '    %s\n' "$detail"; done
  printf '    exit code: %s\n    stdout: %s\n    stderr: %s\n' "$rc" "$(cat "$tmp/out")" "$(cat "$tmp/err")"
}
expect() {  # expect WHAT TEST...: the test is a command; passes when it succeeds
  local what=$1
  shift
  if "$@"; then pass "$what"; else flunk "$what" "failed: $*"; fi
}
has() { grep -qF -- "$2" "$1"; }  # has FILE TEXT

# run REPO ARGS...: the repo's own copy of the script, from an unrelated directory; sets rc, $tmp/out, $tmp/err
rc=0
run() {
  local repo=$1
  shift
  rc=0
  (cd "$tmp/elsewhere" && "$repo/scripts/lesson-tags.sh" "$@") >"$tmp/out" 2>"$tmp/err" || rc=$?
}
mkdir -p "$tmp/elsewhere"

commit_file() {  # commit_file REPO NAME: one commit adding a file; as a fixed author, not as any configured one
  echo "$2" >"$1/$2"
  git -C "$1" add "$2"
  GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid \
    git -C "$1" commit -q -m "$2"
  git -C "$1" rev-parse HEAD
}

manifest() {  # manifest REPO LINE...: writes the repo's manifest (a comment header, then the lines as given)
  local repo=$1
  shift
  { printf '# test manifest\n\n'; printf '%s\n' "$@"; } >"$repo/scripts/lesson-tags.tsv"
}
line() { printf '%s\t%s\t%s' "$1" "$2" "$3"; }

# mkrepo NAME: three commits (c1 c2 c3), then one adding the script and a manifest listing c1 (lesson01) and c3
# (lesson30), as our repo has them; sets repo, c1, c2, c3
mkrepo() {
  repo=$tmp/$1
  git init -q "$repo"
  c1=$(commit_file "$repo" one)
  c2=$(commit_file "$repo" two)
  c3=$(commit_file "$repo" three)
  mkdir "$repo/scripts"
  cp "$script" "$repo/scripts/lesson-tags.sh"
  manifest "$repo" "$(line lesson01 "$c1" "the first lesson")" "$(line lesson30 "$c3" "the flow, with its tests")"
  git -C "$repo" add scripts
  GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid \
    git -C "$repo" commit -q -m scripts
}

tags() { git -C "$1" tag -l | tr '\n' ' '; }
no_tags() { [[ -z $(git -C "$1" tag -l) ]]; }
annotated() {  # annotated REPO TAG COMMIT MESSAGE
  [[ $(git -C "$1" cat-file -t "refs/tags/$2") == tag ]] &&
    [[ $(git -C "$1" rev-parse "refs/tags/$2^{commit}") == "$3" ]] &&
    [[ $(git -C "$1" for-each-ref --format='%(contents)' "refs/tags/$2") == "$4" ]]
}
tag_object() { git -C "$1" rev-parse "refs/tags/$2"; }

# --- creating
mkrepo create
run "$repo"
expect "creates the tags: exit 0" test "$rc" -eq 0
expect "lesson01 is annotated, on c1, with its description" annotated "$repo" lesson01 "$c1" "the first lesson"
expect "lesson30 is annotated, on c3, with its description" annotated "$repo" lesson30 "$c3" "the flow, with its tests"
expect "says it created each tag" has "$tmp/out" "lesson30: created on ${c3:0:7}"
expect "a clone without a git identity gets the neutral tagger" \
  test "$(git -C "$repo" for-each-ref --format='%(taggername)' refs/tags/lesson01)" = "cloudscope lesson-tags"
before1=$(tag_object "$repo" lesson01)
before30=$(tag_object "$repo" lesson30)

run "$repo"
expect "a re-run: exit 0" test "$rc" -eq 0
expect "a re-run leaves both tag objects as they were" \
  test "$(tag_object "$repo" lesson01) $(tag_object "$repo" lesson30)" = "$before1 $before30"
expect "a re-run says the tags are already there" has "$tmp/out" "lesson01: already on ${c1:0:7}, left alone"

run "$repo" --check
expect "--check with the tags in place: exit 0" test "$rc" -eq 0

mkrepo identity
git -C "$repo" config user.name "Learner"
git -C "$repo" config user.email "learner@example.invalid"
run "$repo"
expect "a clone with a git identity tags as that identity" \
  test "$(git -C "$repo" for-each-ref --format='%(taggername)' refs/tags/lesson30)" = "Learner"

# --- --check
mkrepo check
run "$repo" --check
expect "--check: exit 0" test "$rc" -eq 0
expect "--check creates no tag" no_tags "$repo"
expect "--check says so" has "$tmp/out" "check passed: 2 tag(s), nothing created"

git -C "$repo" checkout -q -b side "$c1"
side=$(commit_file "$repo" side)
git -C "$repo" checkout -q main
manifest "$repo" "$(line lesson01 "$c1" "the first lesson")" "$(line lesson02 "$side" "on a side branch")"
run "$repo" --check
expect "--check: a commit off HEAD's history fails, exit 1" test "$rc" -eq 1
expect "--check names the tag and the commit that is not under HEAD" \
  has "$tmp/err" "lesson02: commit $side is not an ancestor of HEAD"
expect "--check that fails creates no tag" no_tags "$repo"

# --- a missing commit
mkrepo missing
absent=0123456789abcdef0123456789abcdef01234567
manifest "$repo" "$(line lesson01 "$c1" "the first lesson")" "$(line lesson30 "$absent" "not here")"
run "$repo"
expect "a listed commit missing from the clone: exit 1" test "$rc" -eq 1
expect "the message names the tag and the commit" has "$tmp/err" "lesson30: commit $absent is not in this clone"
expect "the message is one line per problem, then one summary line" test "$(wc -l <"$tmp/err")" -eq 2
expect "nothing is created, not even the tag whose commit is there" no_tags "$repo"
run "$repo" --check
expect "--check fails on the missing commit too, exit 1" test "$rc" -eq 1
expect "--check names it" has "$tmp/err" "lesson30: commit $absent is not in this clone"

blob=$(git -C "$repo" rev-parse HEAD:one)
manifest "$repo" "$(line lesson01 "$blob" "a file, not a commit")"
run "$repo"
expect "a listed hash that is not a commit: exit 1, said so" test "$rc" -eq 1
expect "the message says what it is" has "$tmp/err" "lesson01: $blob is a blob, not a commit"

# --- a shallow clone (as CI often makes): the listed commits are not there
mkrepo origin
git clone -q --depth 1 "file://$repo" "$tmp/shallow"
run "$tmp/shallow" --check
expect "a shallow clone: --check exit 1" test "$rc" -eq 1
expect "a shallow clone is named as the likely cause" has "$tmp/err" "this is a shallow clone, the likely cause: run 'git fetch --unshallow'"
run "$tmp/shallow"
expect "a shallow clone: no tag created" no_tags "$tmp/shallow"
git -C "$tmp/shallow" fetch -q --unshallow
run "$tmp/shallow"
expect "after 'git fetch --unshallow' the tags are created" annotated "$tmp/shallow" lesson01 "$c1" "the first lesson"

# --- a tag already pointing elsewhere
mkrepo elsewhere
git -C "$repo" tag lesson01 "$c2"
run "$repo"
expect "a tag on another commit: exit 1" test "$rc" -eq 1
expect "the message names both commits and --force" \
  has "$tmp/err" "lesson01: the tag points at $c2, the manifest says $c1 (use --force to move it)"
expect "the tag stays where it was, and no other tag is created" \
  test "$(tags "$repo")/$(git -C "$repo" rev-parse lesson01)" = "lesson01 /$c2"
run "$repo" --check
expect "--check reports the tag in the way, exit 1" test "$rc" -eq 1
run "$repo" --force
expect "--force: exit 0" test "$rc" -eq 0
expect "--force moves the tag, annotated" annotated "$repo" lesson01 "$c1" "the first lesson"
expect "--force says it moved it" has "$tmp/out" "lesson01: moved from ${c2:0:7} to ${c1:0:7} (--force)"
expect "--force creates the missing one too" annotated "$repo" lesson30 "$c3" "the flow, with its tests"

# --- malformed manifests: exit 2, the line named, nothing created
mkrepo malformed
upper=$(tr a-f A-F <<<"$c3")
while IFS='|' read -r what text expected; do
  manifest "$repo" "$(line lesson01 "$c1" "fine")" "$(printf '%b' "$text")"
  run "$repo"
  if [[ $rc -eq 2 ]] && has "$tmp/err" "scripts/lesson-tags.tsv:4: $expected" && no_tags "$repo"; then
    pass "manifest with $what: refused (exit 2, line named), nothing created"
  else
    flunk "manifest with $what: refused (exit 2, line named), nothing created" "expected on stderr: $expected"
  fi
done <<EOF
a bad tag name|Lesson30\t$c3\tx|tag name 'Lesson30' is not 'lesson' followed by two or more digits
a tag name with shell text|lesson30;touch pwned\t$c3\tx|tag name 'lesson30;touch pwned' is not
an abbreviated commit|lesson30\t${c3:0:7}\tx|commit '${c3:0:7}' is not a full 40-hex commit hash
an upper-case commit|lesson30\t$upper\tx|commit '$upper' is not a full 40-hex commit hash (lower case)
two fields|lesson30\t$c3|expected three fields separated by one TAB each
four fields|lesson30\t$c3\tx\ty|expected three fields separated by one TAB each
two TABs between fields|lesson30\t\t$c3\tx|expected three fields separated by one TAB each
an empty description|lesson30\t$c3\t|the description is empty
a description with a space around it|lesson30\t$c3\t x|the description starts or ends with a space
Windows line endings|lesson30\t$c3\tx\r|line ends with a carriage return
a control character|lesson30\t$c3\ta\033[2Jb|the description holds a control character: \$'a\\E[2Jb'
a tag listed twice|lesson01\t$c3\tagain|tag lesson01 is listed twice (first on line 3)
EOF

# --- manifest text never reaches a shell
mkrepo quoting
# shellcheck disable=SC2016 # meant literally: this text must never be expanded
evil='$(touch pwned1) `touch pwned2` ; touch pwned3 && echo "$HOME" '"'"'q'"'"' \n %s * ?'
manifest "$repo" "$(line lesson01 "$c1" "$evil")"
(cd "$repo" && ./scripts/lesson-tags.sh >"$tmp/out" 2>"$tmp/err") && rc=0 || rc=$?
expect "a description full of shell syntax: exit 0" test "$rc" -eq 0
expect "it is the tag's message, verbatim" annotated "$repo" lesson01 "$c1" "$evil"
expect "and nothing in it ran" test -z "$(find "$tmp" -name 'pwned*')"

# --- usage
mkrepo usage
run "$repo" --help
expect "--help: exit 0 and the usage" test "$rc" -eq 0 -a -n "$(grep -F 'Usage: scripts/lesson-tags.sh' "$tmp/out")"
run "$repo" --tag
expect "an unknown argument: exit 2, named" test "$rc" -eq 2 -a -n "$(grep -F "unknown argument '--tag'" "$tmp/err")"
expect "and nothing created" no_tags "$repo"

if ((failed > 0)); then
  printf '%d of %d checks failed\n' "$failed" "$checks"
  exit 1
fi
printf 'all %d checks passed\n' "$checks"
