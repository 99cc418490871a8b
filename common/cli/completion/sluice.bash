# bash completion for sluice's provision and inspect: commands, options,
# the values of options with fixed choices, and profile files (*.ini).
# Installed as completions/provision and completions/inspect; zsh loads it
# through bashcompinit (_sluice). tests/cli/completion checks these lists
# against each command's --help.

# The commands of a program, or the options of one of its commands.
_sluice_words() {
  case "$1 $2" in
    "provision ") echo "plan apply destroy status output send smoke help" ;;
    "provision plan" | "provision status" | "provision output") echo "--json" ;;
    "provision apply") echo "--json --dry-run --replace" ;;
    "provision destroy") echo "--json --dry-run --empty-bucket" ;;
    "provision send") echo "--stream --to --file --format --delimiter --partition-key" \
      "--partition-key-field --explicit-hash-key --batch-size --concurrency --max-attempts" \
      "--flush-interval --dead-letter --results --checkpoint --aggregate --no-aggregate --strict --json" ;;
    "provision smoke") echo "--count --timeout --interval --cleanup --json" ;;
    "inspect ") echo "ls cat stats errors tail ddl query help" ;;
    "inspect ls") echo "--local --start-after --resume-after --since --until --flat" \
      "--concurrency --page-size --limit --json" ;;
    "inspect cat") echo "--local --start-after --resume-after --since --until --flat --where" \
      "--grep --format --concurrency --page-size --object-buffer --with-key --limit" ;;
    "inspect stats") echo "--local --start-after --resume-after --since --until --flat" \
      "--where --grep --format --concurrency --page-size --json" ;;
    "inspect errors") echo "--local --start-after --resume-after --since --until --flat" \
      "--where --grep --concurrency --page-size --object-buffer --raw --limit" ;;
    "inspect tail") echo "--since --until --flat --where --grep --format --concurrency" \
      "--page-size --object-buffer --with-key --interval --count --timeout" ;;
    "inspect ddl") echo "--start" ;;
    "inspect query") echo "--file --format --since --until" ;;
    *) return 1 ;;
  esac
}

# The AWS shared-config profiles, as --profile takes them.
_sluice_aws_profiles() {
  local f
  for f in "${AWS_CONFIG_FILE:-$HOME/.aws/config}" "${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}"; do
    [ -r "$f" ] && sed -n 's/^\[\(profile \)\{0,1\}\([^] ]*\)\].*/\2/p' "$f"
  done | sort -u | tr '\n' ' '
}

# Taken by every command.
_sluice_common="--verbose -v --quiet -q --region --profile --endpoint-url --help -h --version"

# Options that take a value: what to offer for it (a word list, "@file",
# "@dir" or "" for free text).
_sluice_value() {
  case $1 in
    --to) echo "firehose kinesis" ;;
    --format) if [ "$2" != inspect ]; then echo "lines json raw"
              elif [ "$3" = query ]; then echo "ndjson csv table"
              else echo "auto json lines"; fi ;;
    --delimiter) echo "newline none" ;;
    --file | --dead-letter | --results | --checkpoint) echo "@file" ;;
    --local) echo "@file" ;;
    --since | --until | --start) echo "30m 1h 2h 1d" ;;
    --partition-key | --partition-key-field | --explicit-hash-key | --batch-size | \
    --concurrency | --max-attempts | --flush-interval | --count | --timeout | --interval | \
    --start-after | --resume-after | --where | --grep | --limit | --page-size | \
    --object-buffer | --stream | --region | --endpoint-url) echo "" ;;
    --profile) echo "@awsprofile" ;;
    *) return 1 ;;
  esac
}

_sluice_complete() {
  local prog=$1 cur=${COMP_WORDS[COMP_CWORD]} prev="" cmd="" i w values words IFS=$'\n'
  [ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD-1]}
  COMPREPLY=()
  # The command: the first word that is not an option or an option's value.
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    case $w in
      --*=*) ;;
      -*) _sluice_value "$w" "$prog" >/dev/null && ((i++)) ;;
      *) cmd=$w; break ;;
    esac
  done
  if { [ -z "$cmd" ] && [[ $cur != -* ]]; } || [ "$cmd" = help ]; then
    COMPREPLY=($(IFS=' '; compgen -W "$(_sluice_words "$prog" "")" -- "$cur"))
    return 0
  fi
  if [[ $cur == --*=* ]]; then
    prev=${cur%%=*}
    cur=${cur#*=}
  fi
  if values=$(_sluice_value "$prev" "$prog" "$cmd"); then
    case $values in
      @file) COMPREPLY=($(compgen -f -- "$cur")) ;;
      @awsprofile) COMPREPLY=($(IFS=' '; compgen -W "$(_sluice_aws_profiles)" -- "$cur")) ;;
      "") ;;
      *) COMPREPLY=($(IFS=' '; compgen -W "$values" -- "$cur")) ;;
    esac
    return 0
  fi
  if [[ $cur == -* ]]; then
    words=$(_sluice_words "$prog" "$cmd") || return 0
    COMPREPLY=($(IFS=' '; compgen -W "$words $_sluice_common" -- "$cur"))
    return 0
  fi
  # A positional: a profile (an .ini file, or a folder on the way to one).
  COMPREPLY=($(compgen -f -X '!*.ini' -- "$cur"; compgen -d -- "$cur"))
  if [ "$prog" = inspect ] && [[ s3:// == "$cur"* ]]; then
    COMPREPLY+=("s3://")
  fi
  return 0
}

_sluice_provision() { _sluice_complete provision; }
_sluice_inspect() { _sluice_complete inspect; }
complete -o filenames -F _sluice_provision provision
complete -o filenames -F _sluice_inspect inspect
