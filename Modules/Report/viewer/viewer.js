// The viewer of a VoxelKL report (an inline ES module, after the NiiVue bundle's module, which
// sets globalThis.VoxelKLNiivue). It shows the underlay and one map at a time, in the report's
// colour maps and ranges, from the NIfTI volumes in #voxelkl-viewer-data (base64 of .nii.gz).
// window.voxelklViewer settles when the viewer has drawn (or failed): the page's self-check
// reports it, with how many colours the first frame has (a blank canvas has one).
const statusLine = document.getElementById('voxelkl-viewer-status');

async function startViewer() {
  const lib = globalThis.VoxelKLNiivue;
  if (!lib) {
    throw new Error('the NiiVue bundle did not load');
  }
  const data = JSON.parse(document.getElementById('voxelkl-viewer-data').textContent);
  const canvas = document.getElementById('voxelkl-viewer-canvas');
  const nv = new lib.Niivue({
    backColor: [0, 0, 0, 1],
    crosshairColor: [0.2, 0.8, 1, 1],
    crosshairWidth: 1,
    isRadiologicalConvention: false, // neurological, as the mosaics: the subject's left on the left
    show3Dcrosshair: false, // (in 2D views it draws thick cylinders)
    isColorbar: false,
  });
  await nv.attachToCanvas(canvas);
  for (const colormap of data.colormaps) {
    nv.addColormap(colormap.name, colormap.table);
  }
  const underlay = await lib.NVImage.loadFromBase64({
    base64: data.anatomy.base64,
    name: 'reference-mean.nii.gz',
    colormap: 'gray',
    cal_min: data.anatomy.low,
    cal_max: data.anatomy.high,
  });
  nv.addVolume(underlay);
  for (const map of data.maps) {
    const volume = await lib.NVImage.loadFromBase64({
      base64: map.base64,
      name: `${map.name}.nii.gz`,
      colormap: map.colormap,
      opacity: 0,
      cal_min: map.low,
      cal_max: map.high,
    });
    nv.addVolume(volume);
  }
  const select = document.getElementById('voxelkl-viewer-map');
  const show = (index) => {
    data.maps.forEach((map, k) => nv.setOpacity(k + 1, k === index ? data.opacity : 0));
    const map = data.maps[index];
    statusLine.textContent = `NiiVue ${lib.version}: ${map.title}, colour range ${map.low.toPrecision(4)} to ${map.high.toPrecision(4)}.`;
  };
  select.addEventListener('change', () => show(Number(select.value)));
  for (const button of document.querySelectorAll('[data-slice-type]')) {
    button.addEventListener('click', () => nv.setSliceType(lib.SLICE_TYPE[button.dataset.sliceType]));
  }
  const location = document.getElementById('voxelkl-viewer-location');
  nv.onLocationChange = (where) => {
    location.textContent = where.string;
  };
  show(0);
  nv.setSliceType(lib.SLICE_TYPE.MULTIPLANAR);
  nv.drawScene();
  // The first frame, read back at once (before the browser may clear the drawing buffer).
  const gl = nv.gl;
  const pixels = new Uint8Array(4 * gl.drawingBufferWidth * gl.drawingBufferHeight);
  gl.readPixels(0, 0, gl.drawingBufferWidth, gl.drawingBufferHeight, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
  const colours = new Set();
  for (let i = 0; i < pixels.length; i += 4 * 7) {
    colours.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
  }
  return { state: 'ready', niivue: lib.version, volumes: nv.volumes.length, canvasColours: colours.size };
}

window.voxelklViewer = startViewer();
window.voxelklViewer.catch((error) => {
  statusLine.textContent = `The viewer could not start (${error && error.message ? error.message : error}). The mosaics above show the same maps.`;
  statusLine.className = 'warning';
});
