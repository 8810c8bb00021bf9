"""Technical files as the tools that make them write them (issue 17): a STEP part from a CAD
exporter, IGES, DXF, G-code, ASCII STL, sensor CSVs and logs. Deterministic for a seed; the
coordinates are realistic (millimetres, written with the 15-17 significant digits exporters
print), so that they hold the 10-16 digit runs that once read as phone and card numbers."""

from __future__ import annotations

import math
import random


def _coordinate(r: random.Random, scale: float = 120.0) -> str:
    """A coordinate as STEP exporters print it: a double's repr, or ten decimals (as some
    kernels write them), "0." for zero."""
    value = r.uniform(-scale, scale)
    if r.random() < 0.1:
        value = round(value, 1)
    text = repr(value) if r.random() < 0.5 else f"{value:.10f}".rstrip("0")
    return text[:-1] if text.endswith(".0") else text


def step(points: int = 3000, author: str = "Saeki Kenta", seed: int = 1) -> bytes:
    """ISO 10303-21 (AP214) of a bracket: points, directions, vertices, edges."""
    r = random.Random(seed)
    lines = [
        "ISO-10303-21;",
        "HEADER;",
        "FILE_DESCRIPTION(('CATIA V5 STEP Exchange'),'2;1');",
        f"FILE_NAME('BRK-2611-A.stp','2026-11-20T10:15:42+09:00',('{author}'),"
        "('Narumi Techno Service'),'ST-DEVELOPER v18','CATIA Version 5 Release 2023','none');",
        "FILE_SCHEMA(('AUTOMOTIVE_DESIGN { 1 0 10303 214 3 1 1 }'));",
        "ENDSEC;",
        "DATA;",
        "#1=PRODUCT('BRK-2611-A','Mounting bracket','',(#2));",
        "#2=PRODUCT_CONTEXT('',#3,'mechanical');",
        "#3=APPLICATION_CONTEXT('automotive design');",
    ]
    n = 10
    for _ in range(points):
        x, y, z = (_coordinate(r) for _ in range(3))
        lines.append(f"#{n}=CARTESIAN_POINT('',({x},{y},{z}));")
        a = r.uniform(0, 2 * math.pi)
        lines.append(f"#{n + 1}=DIRECTION('',({math.cos(a)!r},{math.sin(a)!r},0.));")
        lines.append(f"#{n + 2}=VERTEX_POINT('',#{n});")
        lines.append(f"#{n + 3}=EDGE_CURVE('',#{n + 2},#{n + 6},#{n + 1},.T.);")
        n += 4
    lines += ["ENDSEC;", "END-ISO-10303-21;"]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")  # an exporter that wrote the author as typed


def _iges_line(text: str, section: str, number: int) -> str:
    return f"{text:<72.72}{section}{number:7d}"


def iges(entities: int = 400, seed: int = 2) -> bytes:
    """IGES 5.3: Start, Global, Directory entry, Parameter data and Terminate sections."""
    r = random.Random(seed)
    out = [_iges_line("Narumi Techno Service bracket BRK-2611-A", "S", 1)]
    glob = (
        "1H,,1H;,10HBRK-2611-A,14HBRK-2611-A.igs,15HSolidWorks 2024,7H24.3.0,32,308,15,308,15,"
        "10HBRK-2611-A,1.,2,2HMM,50,0.125,15H20261120.101542,1E-08,499.99999999999,6HSaeki,"
        "21HNarumi Techno Service,11,0,15H20261120.101542;"
    )
    globals_ = [glob[i : i + 72] for i in range(0, len(glob), 72)]
    out += [_iges_line(g, "G", i) for i, g in enumerate(globals_, 1)]
    params = []
    for _ in range(entities):
        x1, y1, z1, x2, y2, z2 = (repr(r.uniform(-250, 250)) for _ in range(6))
        params.append(f"110,{x1},{y1},{z1},{x2},{y2},{z2};")
    pd = 1
    for i, p in enumerate(params):
        count = math.ceil(len(p) / 64)
        out.append(
            _iges_line(
                f"     110{pd:8d}       0       0       0       0       0       000000000", "D", 2 * i + 1
            )
        )
        out.append(
            _iges_line(
                f"     110       0       0{count:8d}       0                               0", "D", 2 * i + 2
            )
        )
        pd += count
    number = 1
    for i, p in enumerate(params):
        for k in range(0, len(p), 64):
            out.append(_iges_line(f"{p[k : k + 64]:<64}{2 * i + 1:8d}", "P", number))
            number += 1
    out.append(_iges_line(f"S{1:7d}G{len(globals_):7d}D{2 * entities:7d}P{number - 1:7d}", "T", 1))
    return ("\r\n".join(out) + "\r\n").encode("ascii")


def dxf(lines: int = 600, title: tuple[str, ...] = (), seed: int = 3) -> bytes:
    """AutoCAD R12 DXF: header, LINE entities and the title block's TEXT entities."""
    r = random.Random(seed)
    pairs = [("0", "SECTION"), ("2", "HEADER"), ("9", "$ACADVER"), ("1", "AC1009"), ("0", "ENDSEC")]
    pairs += [("0", "SECTION"), ("2", "ENTITIES")]
    for _ in range(lines):
        pairs += [("0", "LINE"), ("8", "OUTLINE")]
        for code in ("10", "20", "30", "11", "21", "31"):
            pairs.append((code, f"{r.uniform(0, 420):.14f}"))
    for k, text in enumerate(title):
        pairs += [("0", "TEXT"), ("8", "TITLE"), ("10", "300.0"), ("20", f"{40 - 6 * k:.1f}")]
        pairs += [("30", "0.0"), ("40", "3.5"), ("1", text)]
    pairs += [("0", "ENDSEC"), ("0", "EOF")]
    return "".join(f"{code:>3}\r\n{value}\r\n" for code, value in pairs).encode("cp932")


def gcode(moves: int = 1500, seed: int = 4) -> bytes:
    """A milling program: header comments, tool change, feeds, then linear and arc moves."""
    r = random.Random(seed)
    out = ["%", "O2611 (BRK-2611-A OP10)", "(MACHINE: OKUMA MB-46VAE)", "N10 G90 G17 G21 G40 G49 G80"]
    out += ["N20 T1 M06 (D10 ENDMILL)", "N30 S8000 M03", "N40 G54 G00 X0. Y0. Z50.", "N50 M08"]
    for i in range(moves):
        x, y, z = (f"{r.uniform(-150, 150):.4f}" for _ in range(3))
        if i % 7 == 3:
            out.append(f"N{60 + i * 10} G02 X{x} Y{y} I{r.uniform(-5, 5):.4f} J{r.uniform(-5, 5):.4f} F1200")
        else:
            out.append(f"N{60 + i * 10} G01 X{x} Y{y} Z{z} F{r.choice((800, 1200, 2400))}")
    out += ["M09", "G91 G28 Z0.", "M30", "%"]
    return ("\r\n".join(out) + "\r\n").encode("ascii")


def stl(facets: int = 1200, seed: int = 5) -> bytes:
    r = random.Random(seed)
    out = ["solid BRK-2611-A"]
    for _ in range(facets):
        out.append(f"  facet normal {r.uniform(-1, 1):e} {r.uniform(-1, 1):e} {r.uniform(-1, 1):e}")
        out.append("    outer loop")
        out += [
            f"      vertex {r.uniform(-90, 90):e} {r.uniform(-90, 90):e} {r.uniform(0, 40):e}"
            for _ in range(3)
        ]
        out += ["    endloop", "  endfacet"]
    out.append("endsolid BRK-2611-A")
    return ("\n".join(out) + "\n").encode("ascii")


def sensor_csv(
    rows: int = 2000, ids: bool = False, people: list[tuple[str, str]] | None = None, seed: int = 6
) -> bytes:
    """Readings of a vibration logger. `ids`: a first column of measurement ids that are
    shaped like mobile numbers (070/080/090 + 8 digits: the logger's serial scheme); `people`: a name
    and a phone column per row (the home each meter stands in)."""
    r = random.Random(seed)
    head = ["timestamp", "accel_x_g", "accel_y_g", "accel_z_g", "temp_c", "rms_mm_s"]
    if ids:
        head.insert(0, "measurement_id")
    if people:
        head += ["設置先氏名", "電話番号"]
    out = [",".join(head)]
    for i in range(rows):
        row = [f"2026-11-18T{9 + i // 3600 % 10:02d}:{i // 60 % 60:02d}:{i % 60:02d}.{r.randrange(1000):03d}"]
        row += [repr(r.gauss(0, 0.3)) for _ in range(3)]
        row += [f"{r.uniform(21, 48):.6f}", f"{r.expovariate(2):.9e}"]
        if ids:
            row.insert(0, f"0{r.choice((7, 8, 9))}0{r.randrange(10**8):08d}")
        if people:
            name, phone = people[i % len(people)]
            row += [name, phone]
        out.append(",".join(row))
    return ("\r\n".join(out) + "\r\n").encode("utf-8")


def nginx_log(lines: int = 1500, seed: int = 7) -> bytes:
    """An nginx access log (combined format, $request_time and $upstream_response_time)."""
    r = random.Random(seed)
    paths = ["/", "/products/BRK-2611-A", "/api/v1/orders?page=2", "/static/app.9f8e7d6c.js", "/login"]
    agents = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0.0.0", "curl/8.5.0"]
    out = []
    for i in range(lines):
        ip = f"{r.choice((203, 198, 192))}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"
        when = f"18/Nov/2026:{9 + i // 3600 % 10:02d}:{i // 60 % 60:02d}:{i % 60:02d} +0900"
        status, size = r.choice((200, 200, 304, 404)), r.randrange(100, 900000)
        request_id = f"{r.randrange(10**15, 10**16)}"
        out.append(
            f'{ip} - - [{when}] "GET {r.choice(paths)} HTTP/1.1" {status} {size} "-" "{r.choice(agents)}" '
            f"rt={r.uniform(0, 2):.3f} uct={r.uniform(0, 0.01):.3f} rid={request_id}"
        )
    return ("\n".join(out) + "\n").encode("ascii")


def stamped(lines: list[str], seed: int = 8, start_hour: int = 9, mark: str = ",") -> bytes:
    """Lines behind application-log timestamps ("2026-11-18 09:00:04,512 INFO [batch] …";
    `mark` "." for the form Go and Python's logging write)."""
    r = random.Random(seed)
    out = []
    for i, line in enumerate(lines):
        second = i * 7 + r.randrange(7)
        when = f"2026-11-18 {start_hour + second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
        out.append(
            f"{when}{mark}{r.randrange(1000):03d} INFO  [{r.choice(('main', 'batch-1', 'batch-2'))}] {line}"
        )
    return ("\n".join(out) + "\n").encode("utf-8")
