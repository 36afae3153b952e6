"""The VRT assets: the live file's full size and grid, pointing at the COG over HTTP."""

import rasterio.crs

from mirror.tiles import BLOCK, GRID_CRS


def vrt_xml(href: str, size: tuple, grid: tuple, dtype: str, nodata: float, source_window: tuple | None = None) -> str:
    """A VRT of ``size`` (columns, rows) on ``grid`` (x0, res, y0) in EPSG:3979, its one source the COG at
    ``href`` placed at ``source_window`` (col, row, width, height; None: the whole VRT)."""
    cols, rows = size
    x0, res, y0 = grid
    col0, row0, width, height = source_window or (0, 0, cols, rows)
    gdal_type = {"float32": "Float32", "uint8": "Byte"}[dtype]
    wkt = rasterio.crs.CRS.from_string(GRID_CRS).to_wkt().replace('"', "&quot;")
    return f"""<VRTDataset rasterXSize="{cols}" rasterYSize="{rows}">
  <SRS dataAxisToSRSAxisMapping="1,2">{wkt}</SRS>
  <GeoTransform>{x0}, {res}, 0, {y0}, 0, {-res}</GeoTransform>
  <VRTRasterBand dataType="{gdal_type}" band="1">
    <NoDataValue>{nodata:.0f}</NoDataValue>
    <ComplexSource>
      <SourceFilename relativeToVRT="0">/vsicurl/{href}</SourceFilename>
      <SourceBand>1</SourceBand>
      <SourceProperties RasterXSize="{width}" RasterYSize="{height}" DataType="{gdal_type}" BlockXSize="{BLOCK}" BlockYSize="{BLOCK}" />
      <SrcRect xOff="0" yOff="0" xSize="{width}" ySize="{height}" />
      <DstRect xOff="{col0}" yOff="{row0}" xSize="{width}" ySize="{height}" />
      <NODATA>{nodata:.0f}</NODATA>
    </ComplexSource>
  </VRTRasterBand>
</VRTDataset>
"""
