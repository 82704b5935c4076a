import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { adoptUrlToken } from './api'
import { i18n } from './i18n'
import { createAppRouter } from './router'
import { useAppStore } from './stores/app'
import './styles/base.css'

// Browser mode: the token arrives in the URL fragment, which the router would otherwise read as a route.
if (!window.api) adoptUrlToken()

const pinia = createPinia()
const app = createApp(App).use(pinia).use(i18n).use(createAppRouter())
// A view that throws while rendering keeps showing what it showed before (a page could stay on
// "Loading…" for good): every such error becomes a visible notice instead.
app.config.errorHandler = (err, _instance, info) => {
  console.error(err, info)
  useAppStore(pinia).reportError(err)
}
app.mount('#app')
