// The page of `jepa serve` (plain ES module; vega, vega-lite and vega-embed are the globals their
// builds define, served by the server from node_modules). It reads the JSON API only:
//   /api/runs                 tables (results.json, sweep.json) and run directories
//   /api/metrics?run=&from=   metrics lines after a cursor, polled every second for live curves
//   /api/neighbours?run=&k=   nearest neighbours under the run's encoder and raw pixels
//   /api/image?split=&index=  PNG thumbnails
//   /api/masks?run=&step=     an I-JEPA run's masks of one training step (SVG in JSON)
//   /api/attention?run=&step=&index=&block=   its predictor's attention from a target block to the context
// Charts are vega-lite specs over one named dataset ("metrics"); new lines are inserted into the
// running view (no re-embedding, no reload). The loss chart also shows the run's evaluation points
// (probe top-1 at the snapshot steps, from the results.json of the comparison that trained it). Text from the runs folder is set with textContent only.

const POLL_MS = 1000
// A chart of a run with no lines yet (or no monitor steps) is an expected state, not a warning.
const EMBED_OPTIONS = { actions: false, renderer: 'svg', logLevel: vega.Error }
const REFRESH_MS = 5000

/** The table columns: JSON field, header, and how a value is shown. */
const COLUMNS = [
  { field: 'method', title: 'method' },
  { field: 'linearTop1', title: 'linear top-1', format: (v) => `${(v * 100).toFixed(1)}%` },
  { field: 'attentiveTop1', title: 'attentive top-1', format: (v) => `${(v * 100).toFixed(1)}%` },
  { field: 'knnTop1', title: 'kNN top-1', format: (v) => `${(v * 100).toFixed(1)}%` },
  { field: 'rankMe', title: 'RankMe', format: (v) => v.toFixed(2) },
  { field: 'collapseStd', title: 'collapse std', format: (v) => v.toFixed(4) },
  { field: 'imagesPerSecond', title: 'images/s', format: (v) => v.toFixed(0) },
  { field: 'wallSeconds', title: 'wall s', format: (v) => v.toFixed(1) },
]

/** The live curves: metrics field, title, log scale. */
const CURVES = [
  { field: 'loss', title: 'loss', log: true },
  { field: 'lr', title: 'learning rate', log: false },
  { field: 'rankMe', title: 'RankMe (monitor steps)', log: false },
  { field: 'collapseStd', title: 'collapse std (monitor steps)', log: false },
]

const $ = (id) => document.getElementById(id)
const el = (tag, props = {}, children = []) => {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(props)) {
    if (k === 'text') node.textContent = v
    else if (k === 'class') node.className = v
    else node.setAttribute(k, String(v))
  }
  for (const c of children) node.append(c)
  return node
}

/** GET a JSON route; throws with the server's message on a failure. */
const getJson = async (url) => {
  const res = await fetch(url)
  const body = await res.json()
  if (!res.ok) throw new Error(body.error ?? `${res.status} ${res.statusText}`)
  return body
}

const setStatus = (node, text, isError = false) => {
  node.textContent = text
  node.classList.toggle('error', isError)
}

// ---------------------------------------------------------------- tables

const sortRows = (rows, field, direction) =>
  [...rows].sort((a, b) => {
    const x = a[field]
    const y = b[field]
    if (x === undefined && y === undefined) return 0
    if (x === undefined) return 1
    if (y === undefined) return -1
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))
    return direction === 'asc' ? order : -order
  })

const tableBody = (tbody, rows) => {
  tbody.replaceChildren(...rows.map((row) =>
    el('tr', { class: row.baseline ? 'baseline' : 'run' }, COLUMNS.map((c) => {
      const v = row[c.field]
      if (c.field === 'method') return el('td', { text: v, 'data-field': c.field })
      return typeof v === 'number'
        ? el('td', { text: c.format(v), 'data-field': c.field, 'data-value': v })
        : el('td', { text: '—', 'data-field': c.field })
    })),
  ))
}

const renderTable = (table) => {
  const section = el('div', { class: 'table', 'data-table': table.id }, [el('h3', { text: `${table.id} (${table.kind})` })])
  for (const note of table.notes) section.append(el('p', { class: 'hint', text: note }))
  if (table.error !== undefined) {
    section.append(el('p', { class: 'status error', text: table.error }))
    return section
  }
  const tbody = el('tbody')
  const headers = COLUMNS.map((c) => el('th', { text: c.title, 'data-field': c.field }))
  let sorted = { field: undefined, direction: 'desc' }
  for (const th of headers) {
    th.addEventListener('click', () => {
      const field = th.dataset.field
      sorted = { field, direction: sorted.field === field && sorted.direction === 'desc' ? 'asc' : 'desc' }
      for (const h of headers) h.classList.remove('sorted-asc', 'sorted-desc')
      th.classList.add(`sorted-${sorted.direction}`)
      tableBody(tbody, sortRows(table.rows, field, sorted.direction))
    })
  }
  tableBody(tbody, table.rows)
  section.append(el('table', { class: 'results' }, [el('thead', {}, [el('tr', {}, headers)]), tbody]))
  const curves = learningCurveSpec(table)
  if (curves !== undefined) {
    const chart = el('div', { class: 'chart learning-curve' })
    section.append(chart)
    vegaEmbed(chart, curves, EMBED_OPTIONS).catch((e) => chart.replaceChildren(el('p', { class: 'status error', text: String(e) })))
  }
  return section
}

/** Linear-probe top-1 against step for each run of a comparison, the baselines as dashed rules. */
const learningCurveSpec = (table) => {
  if (table.curves === undefined || table.curves === null || typeof table.curves !== 'object') return undefined
  const points = Object.entries(table.curves).flatMap(([run, list]) =>
    Array.isArray(list) ? list.filter((p) => typeof p.step === 'number' && typeof p.linearTop1 === 'number').map((p) => ({ run, step: p.step, linearTop1: p.linearTop1 })) : [])
  if (points.length === 0) return undefined
  const baselines = table.rows.filter((r) => r.baseline && typeof r.linearTop1 === 'number').map((r) => ({ baseline: r.method, linearTop1: r.linearTop1 }))
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'linear probe top-1 during training',
    width: 520, height: 200,
    layer: [
      { data: { values: points }, mark: { type: 'line', point: true }, encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'linearTop1', type: 'quantitative', title: 'linear top-1', axis: { format: '.0%' }, scale: { zero: false } }, color: { field: 'run', type: 'nominal' } } },
      { data: { values: baselines }, mark: { type: 'rule' }, encoding: { y: { field: 'linearTop1', type: 'quantitative' }, strokeDash: { field: 'baseline', type: 'nominal', scale: { range: [[6, 3], [2, 2], [8, 2, 2, 2]] }, legend: { title: 'baselines' } } } },
    ],
  }
}

let shownTables = ''
const showTables = (tables) => {
  const text = JSON.stringify(tables)
  if (text === shownTables) return
  shownTables = text
  $('tables').replaceChildren(...(tables.length === 0 ? [el('p', { class: 'status', text: 'no results.json or sweep.json in this folder yet' })] : tables.map(renderTable)))
}

// ---------------------------------------------------------------- live curves

const curveSpec = ({ field, title, log }) => {
  const line = {
    data: { name: 'metrics' },
    transform: [{ filter: `isValid(datum['${field}']) && isFinite(datum['${field}'])${log ? ` && datum['${field}'] > 0` : ''}` }],
    mark: { type: 'line', point: field === 'rankMe' || field === 'collapseStd', tooltip: true },
    encoding: {
      x: { field: 'step', type: 'quantitative' },
      y: { field, type: 'quantitative', title: field, scale: log ? { type: 'log' } : { zero: false } },
    },
  }
  const chart = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title, width: 'container', height: 160, autosize: { type: 'fit-x', contains: 'padding' } }
  if (field !== 'loss') return { ...chart, ...line }
  // The loss chart also carries the run's evaluation points (results.json curves): probe top-1 on a right axis.
  const probes = {
    data: { name: 'probes' },
    mark: { type: 'point', filled: true, size: 70, tooltip: true },
    encoding: {
      x: { field: 'step', type: 'quantitative' },
      y: { field: 'top1', type: 'quantitative', title: 'probe top-1 (eval points)', axis: { format: '.0%', orient: 'right' }, scale: { zero: false } },
      color: { field: 'probe', type: 'nominal', title: 'eval', scale: { range: ['#d62728', '#2ca02c', '#9467bd'] } },
      shape: { field: 'probe', type: 'nominal', title: 'eval' },
    },
  }
  return { ...chart, layer: [line, probes], resolve: { scale: { y: 'independent' } } }
}

/** The evaluation points of run `run` from the comparison that trained it (results.json `curves[name]`, run dir = table dir / name). */
const probePointsOf = (tables, run) => {
  const points = []
  for (const table of tables) {
    if (table.curves === undefined || table.curves === null || typeof table.curves !== 'object') continue
    for (const [name, list] of Object.entries(table.curves)) {
      if ((table.id === '.' ? name : `${table.id}/${name}`) !== run || !Array.isArray(list)) continue
      for (const p of list) {
        if (typeof p?.step !== 'number') continue
        for (const [field, probe] of [['linearTop1', 'linear'], ['knnTop1', 'kNN'], ['attentiveTop1', 'attentive']]) {
          if (typeof p[field] === 'number' && Number.isFinite(p[field])) points.push({ step: p.step, probe, top1: p[field] })
        }
      }
    }
  }
  return points
}

const live = { run: undefined, cursor: '', points: 0, lastStep: undefined, views: [], generation: 0, timer: undefined, masked: false, probes: '[]' }
let tables = []

/** Puts the selected run's evaluation points on the loss chart (again when results.json changed). */
const showProbes = async () => {
  const lossView = live.views[0]
  if (lossView === undefined) return
  const points = probePointsOf(tables, live.run)
  const text = JSON.stringify(points)
  if (text === live.probes) return
  live.probes = text
  $('chart-loss').dataset.probes = String(points.length)
  await lossView.change('probes', vega.changeset().remove(() => true).insert(points)).runAsync()
}

const showCurveStatus = () => {
  const status = $('curve-status')
  status.dataset.points = String(live.points)
  setStatus(status, live.run === undefined ? 'no run selected' : `${live.points} steps${live.lastStep === undefined ? '' : `, last step ${live.lastStep}`}`)
}

const pollMetrics = async (generation) => {
  if (generation !== live.generation || live.run === undefined) return
  try {
    const chunk = await getJson(`/api/metrics?run=${encodeURIComponent(live.run)}&from=${encodeURIComponent(live.cursor)}`)
    if (generation !== live.generation) return
    const changes = chunk.reset ? () => vega.changeset().remove(() => true).insert(chunk.records) : () => vega.changeset().insert(chunk.records)
    if (chunk.reset) live.points = 0
    if (chunk.records.length > 0 || chunk.reset) await Promise.all(live.views.map((view) => view.change('metrics', changes()).runAsync()))
    live.cursor = chunk.cursor
    live.points += chunk.records.length
    if (chunk.records.length > 0) live.lastStep = chunk.records.at(-1).step
    showCurveStatus()
    if (!live.masked && chunk.records.some((r) => typeof r.contextTokens === 'number')) {
      live.masked = true
      updateMaskControls()
    }
    live.timer = setTimeout(() => pollMetrics(generation), chunk.more ? 0 : POLL_MS)
  } catch (e) {
    if (generation !== live.generation) return
    setStatus($('curve-status'), `metrics of ${live.run}: ${e.message}`, true)
    live.timer = setTimeout(() => pollMetrics(generation), POLL_MS * 5)
  }
}

const selectRun = async (run) => {
  live.generation += 1
  clearTimeout(live.timer)
  for (const view of live.views) view.finalize()
  Object.assign(live, { run, cursor: '', points: 0, lastStep: undefined, views: [], masked: false, probes: '[]' })
  showCurveStatus()
  updateMaskControls()
  $('neighbours').replaceChildren()
  setStatus($('neighbours-status'), '')
  if (run === undefined) return
  const generation = live.generation
  const results = await Promise.all(CURVES.map((c) => vegaEmbed(`#chart-${c.field}`, curveSpec(c), EMBED_OPTIONS)))
  if (generation !== live.generation) return
  live.views = results.map((r) => r.view)
  await showProbes()
  pollMetrics(generation)
}

// ---------------------------------------------------------------- runs list

let runs = []
const showRuns = (list) => {
  runs = [...list].filter((r) => r.hasMetrics || r.hasCheckpoint).sort((a, b) => b.modifiedMs - a.modifiedMs)
  const select = $('run-select')
  const current = select.value
  select.replaceChildren(...runs.map((r) => el('option', { value: r.id, text: `${r.id}${r.hasCheckpoint ? '' : ' (no checkpoint yet)'}` })))
  if (current !== '' && runs.some((r) => r.id === current)) select.value = current
  $('neighbours-button').disabled = !(runs.find((r) => r.id === select.value)?.hasCheckpoint ?? false)
}

const refresh = async () => {
  const found = await getJson('/api/runs')
  tables = found.tables
  showTables(found.tables)
  await showProbes()
  showRuns(found.runs)
  return found
}

// ---------------------------------------------------------------- neighbours

const thumb = (split, index, caption, cls) =>
  el('figure', { class: cls }, [el('img', { src: `/api/image?split=${split}&index=${index}&scale=2`, alt: `${split} image ${index}`, 'data-split': split, 'data-index': index }), el('figcaption', { text: caption })])

const strip = (tag, query, neighbours) =>
  el('div', { class: 'strip', 'data-kind': tag }, [el('span', { class: 'tag', text: tag }), ...neighbours.map((n) => thumb('train', n.train, `${n.label} ${n.similarity.toFixed(2)}`, n.label === query.label ? 'same' : 'other'))])

const showNeighbours = async () => {
  const run = $('run-select').value
  const status = $('neighbours-status')
  const k = Number($('k-input').value)
  setStatus(status, `computing features of ${run}…`)
  try {
    const reply = await getJson(`/api/neighbours?run=${encodeURIComponent(run)}&k=${encodeURIComponent(String(k))}`)
    if (run !== $('run-select').value) return
    $('neighbours').replaceChildren(...reply.queries.map((q) =>
      el('div', { class: 'query' }, [thumb('test', q.test, q.label, 'query-image'), el('div', {}, [strip('encoder', q, q.encoder), strip('pixels', q, q.pixels)])])))
    setStatus(status, `${reply.family} at step ${reply.step}; ${reply.trainSample} train images searched`)
  } catch (e) {
    setStatus(status, e.message, true)
  }
}

// ---------------------------------------------------------------- mask gallery

/** The gallery is offered for runs whose metrics log masks (I-JEPA) and that have a checkpoint. */
const updateMaskControls = () => {
  const run = runs.find((r) => r.id === live.run)
  const usable = live.masked && (run?.hasCheckpoint ?? false)
  for (const id of ['mask-prev', 'mask-next', 'attention-button']) $(id).disabled = !usable
  $('masks').replaceChildren()
  $('attention-canvas').hidden = true
  delete $('attention-canvas').dataset.drawn
  setStatus($('attention-status'), usable ? '' : 'select an I-JEPA run with a checkpoint')
  if (usable) showMasks()
  else setStatus($('masks-status'), 'select an I-JEPA run with a checkpoint')
}

let maskUrl
const showMasks = async () => {
  if ($('mask-prev').disabled) return
  const run = live.run
  const step = Math.max(1, Math.floor(Number($('mask-step').value) || 1))
  $('mask-step').value = String(step)
  const status = $('masks-status')
  try {
    const reply = await getJson(`/api/masks?run=${encodeURIComponent(run)}&step=${step}&count=4`)
    if (run !== live.run) return
    if (maskUrl !== undefined) URL.revokeObjectURL(maskUrl)
    maskUrl = URL.createObjectURL(new Blob([reply.svg], { type: 'image/svg+xml' }))
    $('masks').replaceChildren(el('img', { src: maskUrl, alt: `masks of step ${step}`, id: 'masks-image' }))
    setStatus(status, `${reply.family}, step ${reply.step}: ${reply.contextTokens} context tokens, ${reply.targetBlocks} target blocks × ${reply.targetTokens} tokens${reply.images === 'blank' ? ' (the run trained on another dataset: blank canvas)' : ''}`)
  } catch (e) {
    setStatus(status, e.message, true)
  }
}

// ---------------------------------------------------------------- predictor attention

const loadImage = (src) => new Promise((resolve, reject) => {
  const img = new Image()
  img.onload = () => resolve(img)
  img.onerror = () => reject(new Error(`could not load ${src}`))
  img.src = src
})

/** The test image (padded like the model input) with the context tokens tinted by attention and the target block outlined. */
const drawAttention = async (canvas, view) => {
  const scale = Math.max(1, Math.min(8, Math.floor(256 / view.inputSize)))
  const side = view.inputSize * scale
  canvas.width = side
  canvas.height = side
  const g = canvas.getContext('2d')
  g.fillStyle = '#000'
  g.fillRect(0, 0, side, side)
  const img = await loadImage(`/api/image?split=test&index=${view.index}&scale=${scale}`)
  const offset = Math.floor((view.inputSize - view.imageSize) / 2) * scale
  g.imageSmoothingEnabled = false
  g.drawImage(img, offset, offset)
  const [rows, cols] = view.grid
  const cell = side / cols
  const at = (t) => [(t % cols) * cell, Math.floor(t / cols) * cell]
  const seen = new Set([...view.context, ...view.target])
  g.fillStyle = 'rgba(0, 0, 0, 0.6)'
  for (let t = 0; t < rows * cols; t++) if (!seen.has(t)) g.fillRect(...at(t), cell, cell)
  const max = Math.max(...view.weights)
  view.context.forEach((t, j) => {
    g.fillStyle = `rgba(255, 40, 0, ${(0.8 * view.weights[j] / max).toFixed(3)})`
    g.fillRect(...at(t), cell, cell)
  })
  g.strokeStyle = '#ffd400'
  g.lineWidth = 2
  for (const t of view.target) g.strokeRect(at(t)[0] + 1, at(t)[1] + 1, cell - 2, cell - 2)
}

const showAttention = async () => {
  const run = live.run
  const status = $('attention-status')
  const canvas = $('attention-canvas')
  const step = Math.max(1, Math.floor(Number($('mask-step').value) || 1))
  const index = Math.max(0, Math.floor(Number($('attention-index').value) || 0))
  const block = Math.max(0, Math.floor(Number($('attention-block').value) || 0))
  setStatus(status, 'running the predictor…')
  try {
    const view = await getJson(`/api/attention?run=${encodeURIComponent(run)}&step=${step}&index=${index}&block=${block}`)
    if (run !== live.run) return
    $('attention-block').max = String(view.targetBlocks - 1)
    await drawAttention(canvas, view)
    canvas.hidden = false
    canvas.dataset.drawn = `${view.step}:${view.index}:${view.block}`
    setStatus(status, `${view.family}, masks of step ${view.step} on test image ${view.index}: target block ${view.block} of ${view.targetBlocks} (${view.target.length} tokens) puts ${(view.contextShare * 100).toFixed(0)}% of its attention on the ${view.context.length} context tokens`)
  } catch (e) {
    setStatus(status, e.message, true)
  }
}

// ---------------------------------------------------------------- start

const start = async () => {
  const asked = new URLSearchParams(location.search).get('run')
  await refresh()
  const select = $('run-select')
  if (asked !== null && runs.some((r) => r.id === asked)) select.value = asked
  select.addEventListener('change', () => {
    $('neighbours-button').disabled = !(runs.find((r) => r.id === select.value)?.hasCheckpoint ?? false)
    selectRun(select.value || undefined)
  })
  $('neighbours-button').addEventListener('click', showNeighbours)
  $('attention-button').addEventListener('click', showAttention)
  $('mask-step').addEventListener('change', showMasks)
  $('mask-prev').addEventListener('click', () => { $('mask-step').value = String(Math.max(1, Number($('mask-step').value) - 1)); showMasks() })
  $('mask-next').addEventListener('click', () => { $('mask-step').value = String(Number($('mask-step').value) + 1); showMasks() })
  $('neighbours-button').disabled = !(runs.find((r) => r.id === select.value)?.hasCheckpoint ?? false)
  await selectRun(select.value || undefined)
  setInterval(() => refresh().catch((e) => setStatus($('curve-status'), e.message, true)), REFRESH_MS)
}

start().catch((e) => {
  document.body.prepend(el('p', { class: 'status error', text: `jepa serve: ${e.message}` }))
})
