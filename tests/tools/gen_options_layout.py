#!/usr/bin/env python3
"""Prints the builtin-options layout table used by capi/core/model.c.

The model verifier checks each operator's builtin options table against the
schema: every field it knows must sit inside the table at its natural
alignment, and strings and vectors must be well formed. This script derives
one short string per union member from TFLite's schema.fbs, one character
per field id:

  1 2 4 8  scalar of that many bytes
  s        string
  a c d e  vector of 1-, 2-, 4- or 8-byte scalars
  -        deprecated field (not checked beyond lying in the table)

Usage: gen_options_layout.py path/to/schema.fbs > layout.inc
(schema.fbs: tflite/converter/schema/schema.fbs in google-ai-edge/LiteRT.)
"""
import re
import sys

SCALARS = {
    "bool": 1, "byte": 1, "ubyte": 1, "int8": 1, "uint8": 1,
    "short": 2, "ushort": 2, "int16": 2, "uint16": 2,
    "int": 4, "uint": 4, "int32": 4, "uint32": 4, "float": 4, "float32": 4,
    "long": 8, "ulong": 8, "int64": 8, "uint64": 8, "double": 8,
    "float64": 8,
}
VECTOR_CODE = {1: "a", 2: "c", 4: "d", 8: "e"}


def main():
    text = re.sub(r"//[^\n]*", "", open(sys.argv[1]).read())
    enums = {m.group(1): SCALARS[m.group(2)]
             for m in re.finditer(r"\benum\s+(\w+)\s*:\s*(\w+)", text)}
    bodies = {m.group(1): m.group(2) for m in re.finditer(
        r"\btable\s+(\w+)\s*(?:\([^)]*\))?\s*\{(.*?)\}", text, re.S)}

    def layout(table):
        codes = []
        for decl in bodies[table].split(";"):
            decl = decl.strip()
            if not decl:
                continue
            name, ftype = re.match(r"(\w+)\s*:\s*([\[\]\w]+)", decl).groups()
            if "deprecated" in decl:
                codes.append("-")
            elif ftype == "string":
                codes.append("s")
            elif ftype.startswith("["):
                inner = ftype[1:-1]
                size = SCALARS.get(inner) or enums.get(inner)
                if size is None:
                    sys.exit("unsupported vector type %s in %s"
                             % (ftype, table))
                codes.append(VECTOR_CODE[size])
            elif ftype in SCALARS or ftype in enums:
                codes.append(str(SCALARS.get(ftype) or enums[ftype]))
            else:
                sys.exit("unsupported field type %s in %s" % (ftype, table))
        return "".join(codes)

    for union, var in (("BuiltinOptions", "kOptionsLayout"),
                       ("BuiltinOptions2", "kOptions2Layout")):
        body = re.search(r"\bunion\s+%s\s*\{(.*?)\}" % union, text, re.S)
        members = [x.split()[0] for x in body.group(1).split(",") if x.strip()]
        print("static const char* const %s[] = {" % var)
        for i, member in enumerate(members, start=1):
            print('  [%d] = "%s", /* %s */' % (i, layout(member), member))
        print("};")


if __name__ == "__main__":
    main()
