#!/usr/bin/env bash
# Creates the course's lesson tags in this clone from scripts/lesson-tags.tsv (git tags do not travel with main).
# Run 'scripts/lesson-tags.sh --help' for what it does and its exit codes.
set -euo pipefail
export LC_ALL=C

me=lesson-tags

usage() {
  cat <<'EOF'
Usage: scripts/lesson-tags.sh [--check] [--force]

Creates the course's lesson tags (lesson01, lesson30, ...) in the clone that holds this script, as annotated tags
whose message is the tag's description, from scripts/lesson-tags.tsv (name, full commit hash on main, description;
TAB-separated, one tag a line). Works from any directory.

  (no option)  create the tags that are missing; a tag already on its listed commit is left alone
  --check      verify only, create nothing: every listed commit is in this clone and an ancestor of HEAD, and no
               existing tag of that name points elsewhere
  --force      move a tag that points at another commit than the listed one (otherwise an error)
  -h, --help   this text

Nothing is created unless every listed tag can be: the manifest and all commits are checked first.
Exit codes: 0 done (or all good with --check); 1 a listed commit is missing (a shallow clone is the likely cause:
git fetch --unshallow), not an ancestor of HEAD (--check), or a tag points elsewhere; 2 bad usage, a malformed
manifest, or not a git clone.
EOF
}

# one line on stderr; the caller decides the exit code
complain() { printf '%s: %s\n' "$me" "$*" >&2; }
die() {
  local code=$1
  shift
  complain "$@"
  exit "$code"
}
# a manifest field as shown in a message: quoted as is when printable, else escaped (never raw control characters)
shown() {
  if [[ $1 =~ ^[[:print:]]*$ ]]; then printf "'%s'" "$1"; else printf '%q' "$1"; fi
}

check=false
force=false
while (($#)); do
  case $1 in
    --check) check=true ;;
    --force) force=true ;;
    -h | --help) usage; exit 0 ;;
    *) die 2 "unknown argument $(shown "$1") (see --help)" ;;
  esac
  shift
done

script=$(readlink -f -- "${BASH_SOURCE[0]}")
here=$(dirname -- "$script")
manifest=$here/lesson-tags.tsv
command -v git >/dev/null 2>&1 || die 2 "git is not installed"
root=$(git -C "$here" rev-parse --show-toplevel 2>/dev/null) || die 2 "$here is not inside a git clone"
g() { git -C "$root" "$@"; }
[[ -f $manifest ]] || die 2 "no manifest at $manifest"
where_file=${manifest#"$root"/}

# --- the manifest, strictly: every line checked before anything else happens
names=()
commits=()
descs=()
declare -A line_of=()
bad=0
lineno=0
line_re=$'^([^\t]*)\t([^\t]*)\t([^\t]*)$'
while IFS= read -r line || [[ -n $line ]]; do
  lineno=$((lineno + 1))
  [[ $line =~ ^[[:space:]]*$ || $line == '#'* ]] && continue
  at="$where_file:$lineno"
  if [[ $line == *$'\r' ]]; then
    complain "$at: line ends with a carriage return (Windows line endings?); save the file with LF endings"
    bad=$((bad + 1))
    continue
  fi
  if ! [[ $line =~ $line_re ]]; then
    complain "$at: expected three fields separated by one TAB each (name, commit, description)"
    bad=$((bad + 1))
    continue
  fi
  name=${BASH_REMATCH[1]}
  commit=${BASH_REMATCH[2]}
  desc=${BASH_REMATCH[3]}
  if ! [[ $name =~ ^lesson[0-9]{2,}$ ]]; then
    complain "$at: tag name $(shown "$name") is not 'lesson' followed by two or more digits"
    bad=$((bad + 1))
  elif [[ -n ${line_of[$name]+set} ]]; then
    complain "$at: tag $name is listed twice (first on line ${line_of[$name]})"
    bad=$((bad + 1))
  else
    line_of[$name]=$lineno
  fi
  if ! [[ $commit =~ ^[0-9a-f]{40}$ ]]; then
    complain "$at: commit $(shown "$commit") is not a full 40-hex commit hash (lower case)"
    bad=$((bad + 1))
  fi
  if [[ -z $desc ]]; then
    complain "$at: the description is empty"
    bad=$((bad + 1))
  elif [[ $desc =~ [[:cntrl:]] ]]; then
    complain "$at: the description holds a control character: $(shown "$desc")"
    bad=$((bad + 1))
  elif [[ $desc =~ ^[[:space:]] || $desc =~ [[:space:]]$ ]]; then
    complain "$at: the description starts or ends with a space: $(shown "$desc")"
    bad=$((bad + 1))
  fi
  names+=("$name")
  commits+=("$commit")
  descs+=("$desc")
done <"$manifest"
((bad == 0)) || die 2 "$where_file: $bad problem(s) above; nothing done"
((${#names[@]} > 0)) || die 2 "$where_file lists no tags"

# --- the clone: every listed commit here (and under HEAD for --check), no tag in the way
shallow=$(g rev-parse --is-shallow-repository)
if [[ $shallow == true ]]; then
  missing_hint="this is a shallow clone, the likely cause: run 'git fetch --unshallow' and try again"
else
  missing_hint="fetch main (git fetch origin main) and try again"
fi
head=
if $check; then
  head=$(g rev-parse -q --verify 'HEAD^{commit}') || die 1 "HEAD is not a commit yet; nothing to check against"
fi

problems=0
actions=()  # per tag: create, keep or move
for i in "${!names[@]}"; do
  name=${names[$i]}
  commit=${commits[$i]}
  actions[i]=create
  if ! g cat-file -e "$commit^{commit}" 2>/dev/null; then
    if g cat-file -e "$commit" 2>/dev/null; then
      complain "$name: $commit is a $(g cat-file -t "$commit"), not a commit"
    else
      complain "$name: commit $commit is not in this clone; $missing_hint"
    fi
    problems=$((problems + 1))
    continue
  fi
  if $check && ! g merge-base --is-ancestor "$commit" "$head" 2>/dev/null; then
    complain "$name: commit $commit is not an ancestor of HEAD (${head:0:7}); is main checked out and up to date?"
    problems=$((problems + 1))
    continue
  fi
  if g show-ref --verify -q "refs/tags/$name"; then
    current=$(g rev-parse -q --verify "refs/tags/$name^{commit}" || true)
    if [[ $current == "$commit" ]]; then
      actions[i]=keep
    elif $force; then
      actions[i]=move
    else
      complain "$name: the tag points at ${current:-a non-commit object}, the manifest says $commit (use --force to move it)"
      problems=$((problems + 1))
    fi
  fi
done
if ((problems > 0)); then
  if $check; then
    die 1 "check failed: $problems problem(s) with ${#names[@]} listed tag(s)"
  fi
  die 1 "$problems problem(s) above; no tag created"
fi

if $check; then
  for i in "${!names[@]}"; do
    case ${actions[$i]} in
      keep) state="tag already there" ;;
      move) state="tag points elsewhere, --force would move it" ;;
      *) state="tag not created" ;;
    esac
    printf '%s: %s: ok, %s is in this clone and an ancestor of HEAD (%s)\n' "$me" "${names[$i]}" "${commits[$i]:0:7}" "$state"
  done
  printf '%s: check passed: %d tag(s), nothing created\n' "$me" "${#names[@]}"
  exit 0
fi

# --- create. Annotated tags need a tagger; a clone without a git identity gets a neutral one for these tags.
if ! g var GIT_COMMITTER_IDENT >/dev/null 2>&1; then
  export GIT_COMMITTER_NAME="cloudscope lesson-tags" GIT_COMMITTER_EMAIL="lesson-tags@cloudscope.invalid"
fi
created=0
kept=0
for i in "${!names[@]}"; do
  name=${names[$i]}
  commit=${commits[$i]}
  case ${actions[$i]} in
    keep)
      printf '%s: %s: already on %s, left alone\n' "$me" "$name" "${commit:0:7}"
      kept=$((kept + 1))
      continue
      ;;
    move)
      old=$(g rev-parse -q --verify "refs/tags/$name^{commit}" || echo "a non-commit object")
      printf '%s\n' "${descs[$i]}" | g -c tag.gpgSign=false tag --force --annotate --cleanup=verbatim --file=- "$name" "$commit" >/dev/null
      printf '%s: %s: moved from %s to %s (--force)\n' "$me" "$name" "${old:0:7}" "${commit:0:7}"
      ;;
    *)
      printf '%s\n' "${descs[$i]}" | g -c tag.gpgSign=false tag --annotate --cleanup=verbatim --file=- "$name" "$commit"
      printf '%s: %s: created on %s\n' "$me" "$name" "${commit:0:7}"
      ;;
  esac
  created=$((created + 1))
done
printf '%s: done: %d created or moved, %d already there\n' "$me" "$created" "$kept"
