// llm-batch/viewer: the local job viewer (`llm-batch ui`) for host apps.
export { startViewer, type Viewer, type ViewerOptions } from './cli/viewer/start-viewer.js';
