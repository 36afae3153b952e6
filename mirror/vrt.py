"""The VRT assets: the live file's full size and grid, pointing at the whole COG over HTTP."""

import rasterio.crs

from mirror.tiles import BLOCK, GRID_CRS


def vrt_xml(href: str, size: tuple, grid: tuple, dtype: str, nodata: float) -> str:
    """A VRT of ``size`` (columns, rows) on ``grid`` (x0, res, y0) in EPSG:3979, its one source the whole
    COG at ``href`` (which has the same size and grid)."""
    cols, rows = size
    x0, res, y0 = grid
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
      <SourceProperties RasterXSize="{cols}" RasterYSize="{rows}" DataType="{gdal_type}"
                        BlockXSize="{BLOCK}" BlockYSize="{BLOCK}" />
      <SrcRect xOff="0" yOff="0" xSize="{cols}" ySize="{rows}" />
      <DstRect xOff="0" yOff="0" xSize="{cols}" ySize="{rows}" />
      <NODATA>{nodata:.0f}</NODATA>
    </ComplexSource>
  </VRTRasterBand>
</VRTDataset>
"""
