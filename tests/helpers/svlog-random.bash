# Random svlog scripts and inputs for tests/svlog-random.bats, reproducible from a seed.
# svlog_random_script: fills SCRIPT (array), STAMPLEN and LINEMAX from bash's RANDOM (seeded).
# svlog_random_input SEED FILE: random lines: short and long, some empty, odd bytes, maybe no
# final newline.

_pick () { local a=("$@") ; printf '%s' "${a[RANDOM % ${#a[@]}]}" ; }

_pattern () {
  local n=$((RANDOM % 5)) p='' i
  for ((i = 0 ; i < n ; i++)) ; do p+=$(_pick a b '*' ' ' x 1) ; done
  printf '%s' "$p"
}

svlog_random_script () {
  local t=0 T=0 k i ndir=0 nst=0
  SCRIPT=()
  LINEMAX=0
  # ./all comes first, with the defaults a random script cannot change for it (s, n, p and !
  # only apply to the directories after them): it must hold every input line
  if ((RANDOM % 2)) ; then SCRIPT+=(t) ; t=1 ; fi
  SCRIPT+=(s16777215 ./all)
  k=$((RANDOM % 15))
  for ((i = 0 ; i < k ; i++)) ; do
    case $((RANDOM % 22)) in
      0|1) SCRIPT+=("+$(_pattern)") ;;
      2|3) SCRIPT+=("-$(_pattern)") ;;
      4) SCRIPT+=("~+$(_pick a '^b' 'x$' '(a|b)1' '[0-9]+' 'a.*b' ' ')") ;;
      5) SCRIPT+=("~-$(_pick a '^b' 'x$' '(a|b)1' '[0-9]+' 'a.*b' ' ')") ;;
      6) SCRIPT+=(e) ;;
      7) SCRIPT+=("s$(( 4096 + RANDOM % 6000 ))") ;;
      8) SCRIPT+=("n$(( 2 + RANDOM % 5 ))") ;;
      9) SCRIPT+=("S$(_pick 0 6000 20000)") ;;
      10) local l ; l=$(_pick 0 1 7 100 999 1000 1500 3000) ; SCRIPT+=("l$l") ; LINEMAX=$l ;;
      11) SCRIPT+=("$(_pick '!cat' '!tr a-z A-Z' '!cat <&4 >&5 ; echo s >&5 ; cat' '!')") ;;
      12) SCRIPT+=("$(_pick p pweb: px 'plong-prefix-here')") ;;
      13) SCRIPT+=(1) ;;
      14) SCRIPT+=(2) ;;
      15|16|17) SCRIPT+=("./d$((ndir++))") ;;
      18) SCRIPT+=("=st$((nst++))") ;;
      19) SCRIPT+=(T) ; T=1 ;;
      20) SCRIPT+=(Q) ;;
      21) SCRIPT+=(t) ;;
    esac
  done
  STAMPLEN=$(( t * 26 + T * 28 ))
}

svlog_random_input () {
  LC_ALL=C awk -v seed="$1" 'BEGIN {
    srand(seed)
    n = int(rand() * 120)
    split("a b x 1 2 * ~ ^ $ ( ) [ ] . - + =", ch, " ")
    for (i = 0 ; i < n ; i++) {
      r = rand()
      if (r < 0.8) len = int(rand() * 80)
      else if (r < 0.97) len = int(rand() * 2500)
      else len = int(rand() * 9000)
      s = ""
      for (j = 0 ; j < len ; j++) {
        r = rand()
        if (r < 0.15) s = s " "
        else if (r < 0.17) s = s sprintf("%c", 128 + int(rand() * 127))
        else if (r < 0.18) s = s "\r"
        else s = s ch[1 + int(rand() * 16)]
      }
      if (i == n - 1 && rand() < 0.3) printf "%s", s
      else printf "%s\n", s
    }
  }' > "$2"
}
