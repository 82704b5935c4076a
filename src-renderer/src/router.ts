import {
  createRouter,
  createWebHashHistory,
  type RouteRecordRaw,
  type RouterScrollBehavior,
} from 'vue-router'
import ExperimentsView from './views/ExperimentsView.vue'

// Hash history: the app is loaded from a file in Electron, where paths cannot be served.
export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/experiments' },
  { path: '/experiments', name: 'experiments', component: ExperimentsView },
  { path: '/new', name: 'new', component: () => import('./views/NewRunView.vue') },
  // The detail view carries the charts (echarts), loaded when first opened.
  { path: '/runs/:id', name: 'run', component: () => import('./views/RunDetailView.vue'), props: true },
  // /compare?ids=a,b,c: the ids stay in the URL so a comparison can be bookmarked and reloaded.
  {
    path: '/compare',
    name: 'compare',
    component: () => import('./views/CompareView.vue'),
    props: (route) => ({
      ids: String(route.query.ids ?? '')
        .split(',')
        .filter(Boolean),
    }),
  },
  { path: '/sweeps/:id', name: 'sweep', component: () => import('./views/SweepView.vue'), props: true },
  { path: '/datasets', name: 'datasets', component: () => import('./views/DatasetsView.vue') },
  { path: '/trash', name: 'trash', component: () => import('./views/TrashView.vue') },
  // Issue 17: the first-run screen (opened from the landing page while it is due) and the settings.
  { path: '/welcome', name: 'welcome', component: () => import('./views/FirstRunView.vue') },
  { path: '/settings', name: 'settings', component: () => import('./views/SettingsView.vue') },
  { path: '/:rest(.*)*', redirect: '/experiments' },
]

/**
 * A new page opens at its top (its title under the sticky header, not at the previous page's scroll);
 * back and forward return where the page was; a change of query on the same page (the table's filter
 * box, the compare view's options) keeps the scroll.
 */
export const scrollBehavior: RouterScrollBehavior = (to, from, savedPosition) => {
  if (savedPosition) return savedPosition
  if (to.path === from.path) return false
  return { top: 0, left: 0 }
}

export function createAppRouter() {
  return createRouter({ history: createWebHashHistory(), routes, scrollBehavior })
}
