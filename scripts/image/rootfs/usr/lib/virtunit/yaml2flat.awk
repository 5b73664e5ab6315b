# yaml2flat.awk - flatten the YAML that cloud-init seeds use into lines
#
#     <path> TAB <value>
#
# for busybox awk (no gawk extensions). A path is the mapping keys and
# sequence indexes joined with dots, for example
#
#     ethernets.nic0.match.macaddress	52:54:00:12:34:56
#     ethernets.nic0.addresses.0	192.168.77.10/24
#     ssh_authorized_keys.0	ssh-ed25519 AAAA... virtunit
#
# In values a backslash is written as \\ and a newline as \n, so that
# `printf '%b'` gives the value back. A key with no value gives an empty value.
# Problems are reported in the same stream as lines "!<TAB>line N: message";
# the parser then goes on with the next line, so that a caller can use
# whatever was well formed.
#
# With -v sh=PREFIX the output is shell code for eval instead (one awk run per
# file, and no further process for each lookup):
#     PREFIX<path>='value'            with every character of the path outside
#                                     [A-Za-z0-9_] written as _
#     PREFIXK_<path>='key1 key2 ...'  the keys (or indexes) directly below path;
#                                     PREFIXK_ lists the top-level keys
#     cil_yaml_error 'line N: message'
# With -v unwrap=KEY, paths below KEY are given without the "KEY." (for
# network-config written as "network: {version: 2, ...}").
#
# Supported: block mappings and sequences at any indentation (2, 4, ...
# spaces), sequences at the same column as their parent key, "- key: value"
# items, flow sequences and mappings ([a, b], {k: v}, nested, over several
# lines), plain, 'single' and "double" quoted scalars, literal (|) and folded
# (>) block scalars with -/+ chomping, comments, "---" and "..." markers.
# Not supported (reported): anchors and aliases, multi-line plain scalars,
# complex keys.

function err(msg) {
    if (sh != "") printf "cil_yaml_error %s\n", shq("line " NR ": " msg)
    else printf "!\tline %d: %s\n", NR, msg
}

function shq(s) { gsub(/'/, "'\\''", s); return "'" s "'" }

function svar(p) { gsub(/[^A-Za-z0-9_]/, "_", p); return p }

function esc(s,    out, i, c) {
    out = ""
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c == "\\") out = out "\\\\"
        else if (c == "\n") out = out "\\n"
        else out = out c
    }
    return out
}

function emit(p, v,    parent, child, i) {
    if (unwrap != "") {
        # -v unwrap=KEY: read KEY.x as x (network-config wrapped in "network:")
        if (p == unwrap) return
        if (index(p, unwrap ".") == 1) p = substr(p, length(unwrap) + 2)
    }
    if (sh == "") { printf "%s\t%s\n", p, esc(v); return }
    printf "%s%s=%s\n", sh, svar(p), shq(v)
    # register p and its ancestors as children of their parents
    while (1) {
        i = match(p, /\.[^.]*$/)
        if (i) { parent = substr(p, 1, i - 1); child = substr(p, i + 1) }
        else { parent = ""; child = p }
        if ((parent, child) in haskid) break
        haskid[parent, child] = 1
        if (!(parent in kids)) { nparents++; parents[nparents] = parent; kids[parent] = child }
        else kids[parent] = kids[parent] " " child
        if (parent == "") break
        p = parent
    }
}

function join(p, k) { return p == "" ? k : p "." k }

function ltrim(s) { sub(/^[ \t]+/, "", s); return s }
function rtrim(s) { sub(/[ \t]+$/, "", s); return s }
function trim(s) { return rtrim(ltrim(s)) }

# Cut a comment ("#" at the start or after a blank, outside quotes).
function strip_comment(s,    i, c, q, prev) {
    q = ""
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (q != "") {
            if (q == "\"" && c == "\\") { i++; continue }
            if (c == q) {
                if (q == "'" && substr(s, i + 1, 1) == "'") { i++; continue }
                q = ""
            }
            continue
        }
        prev = i == 1 ? " " : substr(s, i - 1, 1)
        if ((c == "\"" || c == "'") && prev ~ /[ \t\[{,:-]/) { q = c; continue }
        if (c == "#" && prev ~ /[ \t]/) return substr(s, 1, i - 1)
    }
    return s
}

# Position of the ":" that ends a mapping key (followed by a blank or the end
# of the text, outside quotes and brackets), or 0.
function key_colon(s,    i, c, q, n) {
    q = ""
    n = length(s)
    for (i = 1; i <= n; i++) {
        c = substr(s, i, 1)
        if (q != "") {
            if (q == "\"" && c == "\\") { i++; continue }
            if (c == q) q = ""
            continue
        }
        if ((c == "\"" || c == "'") && i == 1) { q = c; continue }
        if (i == 1 && (c == "[" || c == "{")) return 0
        if (c == ":" && (i == n || substr(s, i + 1, 1) ~ /[ \t]/)) return i
    }
    return 0
}

# Decode one scalar (quoted or plain).
function scalar(s,    c, out, i, ch, n) {
    s = trim(s)
    c = substr(s, 1, 1)
    n = length(s)
    if (c == "\"") {
        out = ""
        for (i = 2; i <= n; i++) {
            ch = substr(s, i, 1)
            if (ch == "\\") {
                i++
                ch = substr(s, i, 1)
                if (ch == "n") ch = "\n"
                else if (ch == "t") ch = "\t"
                else if (ch == "r") ch = "\r"
                else if (ch == "0") ch = ""
                out = out ch
                continue
            }
            if (ch == "\"") break
            out = out ch
        }
        if (i > n) err("unterminated double-quoted string")
        else if (trim(substr(s, i + 1)) != "") err("text after closing quote ignored: " substr(s, i + 1))
        return out
    }
    if (c == "'") {
        out = ""
        for (i = 2; i <= n; i++) {
            ch = substr(s, i, 1)
            if (ch == "'") {
                if (substr(s, i + 1, 1) == "'") { out = out "'"; i++; continue }
                break
            }
            out = out ch
        }
        if (i > n) err("unterminated single-quoted string")
        else if (trim(substr(s, i + 1)) != "") err("text after closing quote ignored: " substr(s, i + 1))
        return out
    }
    if (c == "*") { err("aliases are not supported: " s); return "" }
    if (c == "&") { sub(/^&[^ \t]*[ \t]*/, "", s); err("anchor ignored") ; return scalar(s) }
    if (c == "!") { sub(/^![^ \t]*[ \t]*/, "", s); return scalar(s) }
    if (s == "~" || s == "null" || s == "Null" || s == "NULL") return ""
    return s
}

# ---- flow collections: FT is the text, FP the position in it ----------------
function fskip() { while (FP <= length(FT) && substr(FT, FP, 1) ~ /[ \t]/) FP++ }

# Raw text of one flow scalar, ending before one of the characters in stops.
function ftoken(stops,    start, c, q) {
    fskip()
    start = FP
    c = substr(FT, FP, 1)
    if (c == "\"" || c == "'") {
        q = c
        for (FP++; FP <= length(FT); FP++) {
            c = substr(FT, FP, 1)
            if (q == "\"" && c == "\\") { FP++; continue }
            if (c == q) {
                if (q == "'" && substr(FT, FP + 1, 1) == "'") { FP++; continue }
                FP++
                break
            }
        }
        return substr(FT, start, FP - start)
    }
    for (; FP <= length(FT); FP++) {
        c = substr(FT, FP, 1)
        if (index(stops, c)) break
    }
    return substr(FT, start, FP - start)
}

function fparse(p,    c, n, k) {
    fskip()
    c = substr(FT, FP, 1)
    if (c == "[") {
        FP++
        n = 0
        fskip()
        if (substr(FT, FP, 1) == "]") { FP++; return 1 }
        while (FP <= length(FT)) {
            if (!fparse(join(p, n))) return 0
            n++
            fskip()
            c = substr(FT, FP, 1)
            FP++
            if (c == "]") return 1
            if (c != ",") { err("expected ',' or ']' in flow sequence"); return 0 }
            fskip()
            if (substr(FT, FP, 1) == "]") { FP++; return 1 }
        }
        err("unterminated flow sequence")
        return 0
    }
    if (c == "{") {
        FP++
        fskip()
        if (substr(FT, FP, 1) == "}") { FP++; return 1 }
        while (FP <= length(FT)) {
            k = scalar(ftoken(":,}"))
            fskip()
            c = substr(FT, FP, 1)
            if (c == ":") {
                FP++
                fskip()
                c = substr(FT, FP, 1)
                if (c == "," || c == "}") emit(join(p, k), "")
                else if (!fparse(join(p, k))) return 0
            } else emit(join(p, k), "")
            fskip()
            c = substr(FT, FP, 1)
            FP++
            if (c == "}") return 1
            if (c != ",") { err("expected ',' or '}' in flow mapping"); return 0 }
            fskip()
            if (substr(FT, FP, 1) == "}") { FP++; return 1 }
        }
        err("unterminated flow mapping")
        return 0
    }
    emit(p, scalar(ftoken(",]}")))
    return 1
}

# Are the brackets of a flow text closed (outside quotes)?
function flow_closed(s,    i, c, q, d) {
    q = ""
    d = 0
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (q != "") {
            if (q == "\"" && c == "\\") { i++; continue }
            if (c == q) q = ""
            continue
        }
        if (c == "\"" || c == "'") q = c
        else if (c == "[" || c == "{") d++
        else if (c == "]" || c == "}") d--
    }
    return d <= 0
}

function flow_value(p, v) {
    FT = v
    FP = 1
    if (fparse(p)) {
        fskip()
        if (FP <= length(FT)) err("text after flow collection ignored: " substr(FT, FP))
    }
}

# ---- block scalars -----------------------------------------------------------
function block_end(    text, i, out, nl) {
    # drop trailing empty lines, remember how many for "keep"
    nl = 0
    while (bn > 0 && bl[bn] == "") { bn--; nl++ }
    out = ""
    for (i = 1; i <= bn; i++) {
        if (bstyle == "|") out = out (i > 1 ? "\n" : "") bl[i]
        else {
            # folded: lines are joined by a blank, empty lines give newlines
            if (i == 1) out = bl[i]
            else if (bl[i] == "") out = out "\n"
            else if (bl[i - 1] == "" || bl[i] ~ /^[ \t]/ || bl[i - 1] ~ /^[ \t]/) out = out (bl[i - 1] == "" ? "" : "\n") bl[i]
            else out = out " " bl[i]
        }
    }
    if (bchomp == "keep") { for (i = 0; i <= nl && bn > 0; i++) out = out "\n" }
    else if (bchomp == "clip" && bn > 0) out = out "\n"
    emit(bpath, out)
    inblock = 0
}

# ---- the block structure -----------------------------------------------------
# Stack of open nodes: path[d], col[d] (column of its entries, -1 while not
# known), kind[d] ("map" or "seq"), cnt[d] (next sequence index), pcol[d]
# (column of the line that opened it).
function push(p, pc) { depth++; path[depth] = p; col[depth] = -1; kind[depth] = ""; cnt[depth] = 0; pcol[depth] = pc; seen_child[depth] = 0 }

function value(p, v, n) {
    if (v == "") { push(p, n); return }
    if (v ~ /^[|>][-+0-9]*$/) {
        inblock = 1
        bpath = p
        bstyle = substr(v, 1, 1)
        bchomp = v ~ /-/ ? "strip" : (v ~ /\+/ ? "keep" : "clip")
        bparent = n
        bind = -1
        if (match(v, /[1-9]/)) bind = n + substr(v, RSTART, 1)
        bn = 0
        return
    }
    if (v ~ /^[\[{]/) {
        if (flow_closed(v)) flow_value(p, v)
        else { inflow = 1; fbuf = v; fpath = p; fcol = n }
        return
    }
    emit(p, scalar(v))
}

function line_at(n, c,    isseq, v, off, pos, k) {
    isseq = (c == "-" || substr(c, 1, 2) == "- ")
    while (1) {
        if (col[depth] < 0) {
            if (n > pcol[depth] || (isseq && n == pcol[depth] && depth > 0 && kind[depth - 1] == "map")) {
                col[depth] = n
                kind[depth] = isseq ? "seq" : "map"
                break
            }
            if (!seen_child[depth]) emit(path[depth], "")
            depth--
            continue
        }
        if (n == col[depth]) {
            if (kind[depth] == "seq" && !isseq && depth > 0) { depth--; continue }
            if (kind[depth] != (isseq ? "seq" : "map")) { err("a " (isseq ? "sequence item" : "mapping key") " where a " (kind[depth] == "seq" ? "sequence item" : "mapping key") " was expected: " c); return }
            break
        }
        if (n < col[depth] && depth > 0) { depth--; continue }
        if (n < col[depth]) { err("indentation less than the document's: " c); return }
        err("unexpected indentation (multi-line plain values are not supported): " c)
        return
    }
    seen_child[depth] = 1
    if (kind[depth] == "seq") {
        p = join(path[depth], cnt[depth]++)
        v = substr(c, 2)
        off = 1
        while (substr(v, 1, 1) == " ") { v = substr(v, 2); off++ }
        if (v == "") { push(p, n); return }
        if (v == "-" || substr(v, 1, 2) == "- " || key_colon(v)) {
            push(p, n)
            line_at(n + off, v)
            return
        }
        value(p, v, n)
        return
    }
    pos = key_colon(c)
    if (!pos) { err("expected 'key: value': " c); return }
    k = scalar(substr(c, 1, pos - 1))
    v = trim(substr(c, pos + 1))
    if (v == "") { push(join(path[depth], k), n); return }
    value(join(path[depth], k), v, n)
}

BEGIN { depth = 0; path[0] = ""; col[0] = -1; kind[0] = ""; pcol[0] = -1; inblock = 0; inflow = 0 }

{
    line = $0
    sub(/\r$/, "", line)
    if (inblock) {
        if (line ~ /^[ \t]*$/) { bl[++bn] = ""; next }
        match(line, /^ */)
        n = RLENGTH
        if (bind < 0 && n > bparent) bind = n
        if (bind >= 0 && n >= bind) { bl[++bn] = substr(line, bind + 1); next }
        block_end()
    }
    if (inflow) {
        s = rtrim(strip_comment(line))
        match(s, /^[ \t]*/)
        if (s !~ /^[ \t]*$/ && RLENGTH <= fcol) {
            # a line back at the key's column: the flow text was never closed
            err("unterminated flow collection")
            inflow = 0
            flow_value(fpath, fbuf)
        } else {
            fbuf = fbuf " " trim(s)
            if (flow_closed(fbuf)) { inflow = 0; flow_value(fpath, fbuf) }
            next
        }
    }
    s = rtrim(strip_comment(line))
    if (s ~ /^[ \t]*$/) next
    if (s ~ /^(---|\.\.\.)([ \t]|$)/) next
    match(s, /^[ \t]*/)
    n = RLENGTH
    if (index(substr(s, 1, n), "\t")) { err("tab in indentation, counted as one space"); }
    line_at(n, substr(s, n + 1))
}

END {
    if (inblock) block_end()
    if (inflow) { err("unterminated flow collection"); flow_value(fpath, fbuf) }
    while (depth > 0) {
        if (col[depth] < 0 && !seen_child[depth]) emit(path[depth], "")
        depth--
    }
    if (sh != "") for (i = 1; i <= nparents; i++) printf "%sK_%s=%s\n", sh, svar(parents[i]), shq(kids[parents[i]])
}
