"""Where the mirror's hrdem-lidar projects have data: the one place the catalog (footprints)
and the build (coverage masks, extent files) read it from.

Metro Vancouver, as recorded (mirror/LIVE-API.md, F-VAN-PROJECTS and F-VAN-MAPLE-OVERLAP; the evidence is
mirror/evidence/vancouver-lidar-coverage.json): inside the evidence box (lon -123.5..-122.2,
lat 49.0..49.6) each range is the recorded range of the project's real ``-extent.geojson``,
to about 0.01 degree. Where a recorded range stops at the box's edge the data go on beyond
it, and how far is not recorded: those edges (``EXTENDED``) and the places outside Metro
Vancouver are invented. Each project's data are a union of lon/lat boxes.
"""

EVIDENCE_BOX = (-123.5, 49.0, -122.2, 49.6)

LIDAR_DATA = {
    "NRCAN-FHIMP_PICAI_BC_South_West_UTM10_2023-1m": [(-122.75, 49.0, -121.9, 49.36)],
    "NRCAN-Lower_Mainland_2020-1m": [(-122.84, 49.39, -121.9, 49.75)],
    # Its data reach 49.2 only east of -122.29; none at the Maple Ridge point (F-VAN-MAPLE-OVERLAP).
    "NRCAN-Lower_Mainland_2019-1m": [(-122.72, 49.29, -121.9, 49.75), (-122.29, 49.2, -121.9, 49.29)],
    "BC-Vancouver_Island_Sunshine_Coast_2018-1m": [(-125.0, 49.33, -123.18, 50.3)],
    "BC-BCTS_Chinook_Kamloops_UTM10_2018-1m": [(-123.2, 49.58, -122.2, 49.65), (-120.9, 50.5, -120.1, 51.0)],
    "BC-BCTS_Chinook_Kamloops_UTM10_2017-1m": [
        (-122.43, 49.12, -122.22, 49.35),  # near Mission
        (-123.3, 49.59, -123.26, 49.65),  # a sliver at the box's north edge
        (-121.0, 50.4, -120.3, 50.9),  # Kamloops (invented)
    ],
    "BC-Lower_Mainland_2016-1m": [(-123.29, 49.0, -121.6, 49.47)],
    "BC-BCTS_Chinook_BCAlbers_2016-1m": [(-122.51, 49.25, -121.9, 49.75)],
    "VILLE_BURNABY-VILLE_BURNABY-1m": [(-123.026, 49.181, -122.89, 49.298)],
    "VILLE_SURREY-VILLE_SURREY-1m": [(-122.923, 49.002, -122.679, 49.22)],
    "VILLE_VANCOUVER-VILLE_VANCOUVER-1m": [(-123.224, 49.198, -123.023, 49.316)],
    # Elsewhere (invented places, recorded ids and dates): data fill the footprint.
    "NRCAN-Calgary_East_utm12_2020-1m": [(-114.00, 50.85, -113.80, 51.25)],
    "NRCAN-Calgary_West_utm11_2020-1m": [(-114.30, 50.85, -113.95, 51.25)],
    "ON-ThunderBay_UTM16_2024-1m": [(-90.152, 47.995, -88.485, 48.867)],
}

# Edges of the boxes above that the mirror drew beyond the evidence box (not recorded).
EXTENDED = {
    "NRCAN-FHIMP_PICAI_BC_South_West_UTM10_2023-1m": "east",
    "NRCAN-Lower_Mainland_2020-1m": "east, north",
    "NRCAN-Lower_Mainland_2019-1m": "east, north",
    "BC-Vancouver_Island_Sunshine_Coast_2018-1m": "west, north",
    "BC-BCTS_Chinook_Kamloops_UTM10_2018-1m": "north; the Kamloops box",
    "BC-BCTS_Chinook_Kamloops_UTM10_2017-1m": "north of the sliver; the Kamloops box",
    "BC-Lower_Mainland_2016-1m": "east",
    "BC-BCTS_Chinook_BCAlbers_2016-1m": "east, north",
}
