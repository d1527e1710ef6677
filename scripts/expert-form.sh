#!/bin/sh
# expert-form.sh CASE.eqs -- prints scripts/expert-forms/CASE.eqs, the form an
# expert writes for that corpus case, so the judge can score it in the case's
# place:
#   judge.py --cmd 'scripts/expert-form.sh {file}' --cases NAMES Tests/Corpus
exec cat "$(dirname "$0")/expert-forms/$(basename "$1")"
