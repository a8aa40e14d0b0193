export { aiSdk, type AiSdkOptions } from './ai-sdk-strategy.js';
