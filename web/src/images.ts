/**
 * Digits on canvases: grey levels in [0, 1], 28×28 each, white strokes on
 * black as MNIST has them. A canvas holds exactly 28 pixels per digit side and
 * CSS scales it up without smoothing, so what is drawn is the model's output,
 * one canvas pixel per image pixel (round(255·v)).
 */

export const SIDE = 28;
export const PIXELS = SIDE * SIDE;

/** Draws `n` images (n·784 values) as a grid of `cols` columns on `canvas`, resizing it to fit. */
export function drawImages(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, n: number, cols: number): void {
  const rows = Math.ceil(n / cols);
  if (canvas.width !== cols * SIDE || canvas.height !== rows * SIDE) {
    canvas.width = cols * SIDE;
    canvas.height = rows * SIDE;
  }
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(canvas.width, canvas.height);
  const out = img.data;
  for (let k = 0; k < n; k++) {
    const ox = (k % cols) * SIDE;
    const oy = Math.floor(k / cols) * SIDE;
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const v = Math.round(255 * Math.min(1, Math.max(0, pixels[k * PIXELS + y * SIDE + x])));
        const o = ((oy + y) * canvas.width + ox + x) * 4;
        out[o] = out[o + 1] = out[o + 2] = v;
        out[o + 3] = 255;
      }
    }
  }
  ctx.putImageData(img, 0, 0);
}

/** Clears a canvas to black (no image yet). */
export function clearCanvas(canvas: HTMLCanvasElement): void {
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
}
